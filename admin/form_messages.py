"""WTForms' own validation messages in our catalogue (messages.po).

WTForms ships no Vietnamese, and Flask-WTF reads WTForms' catalogue, so a form said "Field cannot
be longer than 5 characters." on a Vietnamese page. ``CatalogueTranslations`` (the forms'
``Meta.get_translations``) asks ours instead; ``listed`` names every message so that
`make translations` extracts it."""

from flask_babel import get_translations, gettext, ngettext


class CatalogueTranslations:
    """WTForms' translations interface over Flask-Babel's catalogue; WTForms fills the
    placeholders itself, so nothing is formatted here."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


TRANSLATIONS = CatalogueTranslations()


def listed() -> list[str]:
    """Every message a WTForms validator or field of ours can show (read by the extractor and a test)."""
    return [
        gettext("This field is required."),
        gettext("Invalid input."),
        gettext("Invalid email address."),
        gettext("Invalid URL."),
        gettext("Invalid UUID."),
        gettext("Field must be equal to %(other_name)s."),
        ngettext(
            "Field must be at least %(min)d character long.",
            "Field must be at least %(min)d characters long.",
            2,
            min=2,
        ),
        ngettext(
            "Field cannot be longer than %(max)d character.",
            "Field cannot be longer than %(max)d characters.",
            2,
            max=2,
        ),
        ngettext(
            "Field must be exactly %(max)d character long.", "Field must be exactly %(max)d characters long.", 2, max=2
        ),
        gettext("Field must be between %(min)d and %(max)d characters long."),
        gettext("Number must be at least %(min)s."),
        gettext("Number must be at most %(max)s."),
        gettext("Number must be between %(min)s and %(max)s."),
        gettext("Invalid value, must be one of: %(values)s."),
        gettext("Invalid value, can't be any of: %(values)s."),
        gettext("Invalid Choice: could not coerce."),
        gettext("Not a valid choice."),
        gettext("Invalid choice(s): one or more data inputs could not be coerced."),
        gettext("'%(value)s' is not a valid choice for this field."),
        gettext("Not a valid datetime value."),
        gettext("Not a valid date value."),
        gettext("Not a valid time value."),
        gettext("Not a valid integer value."),
        gettext("Not a valid decimal value."),
        gettext("Not a valid float value."),
    ]
