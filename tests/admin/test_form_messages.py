"""WTForms' own messages (a too-long text, a bad number) read in the page's language (admin/form_messages.py)."""

import pytest
from flask import request, session
from wtforms import IntegerField, StringField
from wtforms.validators import Length

from admin.base import SecureForm
from admin.form_messages import listed


class _Form(SecureForm):
    class Meta(SecureForm.Meta):
        csrf = False

    code = StringField(validators=[Length(max=5)])
    count = IntegerField()


@pytest.mark.parametrize(
    ("lang", "too_long", "not_a_number"),
    [
        ("vi", "Không được dài quá 5 ký tự.", "Cần một số nguyên."),
        ("en", "Field cannot be longer than 5 characters.", "Not a valid integer value."),
    ],
)
def test_validation_messages_follow_the_language(app, lang, too_long, not_a_number):
    with app.test_request_context("/", method="POST", data={"code": "ABCDEFG", "count": "mười"}):
        session["lang"] = lang
        form = _Form(request.form)
        assert not form.validate()
        assert form.errors["code"] == [too_long]
        assert form.errors["count"] == [not_a_number]


def test_every_listed_message_is_vietnamese(app):
    with app.test_request_context("/"):
        session["lang"] = "vi"
        shown = listed()
    english = [text for text in shown if text.split()[0] in {"Field", "Number", "Not", "Invalid", "This"}]
    assert english == []
