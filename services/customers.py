"""Customer rules: normalised contact data, the search column, owner and team."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from models import Customer, User, db
from models.choices import CUSTOMER_TYPES, POTENTIAL_LEVELS
from services import access, validation
from services.errors import ValidationError
from services.text import digits, fold


def search_text_for(name: str | None, phone: str | None, email: str | None, alt_phone: str | None = None) -> str:
    """What search matches: folded name, email and phone digits, after a leading space so that
    a word is found from its start (services.search_index.search_condition)."""
    parts = [fold(name), (email or "").lower(), digits(phone), digits(alt_phone)]
    return (" " + " ".join(p for p in parts if p))[:400]


def default_owner(user) -> User | None:
    """Who a new customer's form proposes as owner: an agent looks after what they create."""
    return user if access.scope_name(user, "customer", "create") == "own" else None


def check_owner(user, customer: Customer, action: str = "create") -> None:
    """An agent may only create (or keep) customers they own: say so on the owner field, not as a bare 403."""
    if access.scope_name(user, "customer", action) != "own":
        return
    owner_id = customer.owner.id if customer.owner is not None else customer.owner_id
    if owner_id != user.id:
        raise ValidationError(
            {"owner": [_l("You can only add customers you look after yourself: choose yourself as the owner.")]}
        )


def prepare(customer: Customer, session=None) -> Customer:
    """Validate and normalise a customer before it is saved; raises ValidationError per field."""
    session = session or db.session
    errors: dict[str, list] = {}

    def check(fn):
        try:
            return fn()
        except ValidationError as exc:
            for k, v in exc.errors.items():
                errors.setdefault(k, []).extend(v)
            return None

    name = check(lambda: validation.require_text(customer.name, "name", 120))
    phone = check(lambda: validation.normalize_phone(customer.phone, "phone"))
    alt_phone = check(lambda: validation.optional_phone(customer.alt_phone, "alt_phone"))
    email = check(lambda: validation.normalize_email(customer.email, "email"))
    check(lambda: validation.one_of(customer.kind or "customer", CUSTOMER_TYPES, "kind"))
    check(lambda: validation.one_of(customer.potential or "medium", POTENTIAL_LEVELS, "potential"))
    if customer.birthday is not None:
        check(lambda: validation.parse_birthday(customer.birthday, "birthday"))
    if customer.contact_from and customer.contact_to and customer.contact_from >= customer.contact_to:
        errors.setdefault("contact_to", []).append(_l("The end of the contact hours must be after the start."))
    if phone:
        clash = session.scalar(
            select(Customer.id).where(Customer.phone == phone, Customer.id != customer.id)
            if customer.id
            else select(Customer.id).where(Customer.phone == phone)
        )
        if clash:
            errors.setdefault("phone", []).append(_l("Another customer already has this phone number."))
    if errors:
        raise ValidationError(errors)

    customer.name, customer.phone, customer.alt_phone, customer.email = name, phone, alt_phone, email
    customer.kind = customer.kind or "customer"
    customer.potential = customer.potential or "medium"
    customer.birth_month = customer.birthday.month if customer.birthday else None
    customer.birth_day = customer.birthday.day if customer.birthday else None
    owner_id = customer.owner.id if customer.owner is not None else customer.owner_id
    if owner_id and customer.team is None and not customer.team_id:
        owner = session.get(User, owner_id)
        if owner is not None and owner.team is not None:
            customer.team = owner.team
    customer.search_text = search_text_for(name, phone, email, alt_phone)
    return customer
