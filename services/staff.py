"""Staff accounts: creation, password changes that end sessions, and the leaver hand-over."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, inspect, select, update
from sqlalchemy.orm.attributes import set_committed_value

from models import Appointment, Complaint, Customer, Team, User, db
from models.staff import new_session_token
from services import access, audit, handover, locking, validation
from services.errors import AlreadyDone, NotAllowed, ValidationError
from services.passwords import hash_password


class NotYourTarget(NotAllowed):
    default = _l("You may not deactivate or hand over this account.")


def check_target(actor: User, target: User) -> None:
    """Raise NotAllowed unless ``actor`` may deactivate or hand over ``target`` (services.access.MANAGED_ROLES)."""
    if actor is not None and target is not None and actor.id == target.id:
        raise NotYourTarget(_l("You cannot deactivate or hand over your own account."))
    if not access.may_manage(actor, target):
        raise NotYourTarget(_l("Only an administrator can deactivate or hand over this account."))


def check_not_last_admin(target: User, session=None) -> None:
    """Raise ValidationError when ``target`` is the only active administrator (nobody could manage staff after)."""
    session = session or db.session
    others = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role.in_(access.roles_with("administers_staff")), User.active.is_(True), User.id != target.id)
    )
    if not others:
        raise ValidationError({"active": [_l("The last active administrator cannot be deactivated or lose the role.")]})


def _loses_access(user: User) -> tuple[bool, bool]:
    """(is being deactivated, was an active administrator) for an existing account being saved."""
    state = inspect(user)
    if state.transient or state.pending:
        return False, False
    was_active = _before(state, "active", user.active)
    was_role = _before(state, "role", user.role)
    deactivated = bool(was_active) and user.active is False
    demoted = was_role != user.role
    return deactivated or demoted, bool(was_active) and access.role_has(was_role, "administers_staff")


def _before(state, key, current):
    history = state.attrs[key].history
    return history.deleted[0] if history.deleted else current


def prepare(
    user: User, new_password: str | None = None, is_created: bool = False, session=None, actor: User | None = None
) -> User:
    """Validate and normalise an account; deactivating it or changing its role follows ``check_target``
    (when ``actor`` is given) and never removes the last active administrator."""
    session = session or db.session
    errors: dict[str, list] = {}
    if not is_created:
        loses, was_admin = _loses_access(user)
        if loses and actor is not None:
            try:
                check_target(actor, user)
            except NotAllowed as exc:
                errors.setdefault("active" if user.active is False else "role", []).append(exc.message)
        if loses and was_admin and not errors:
            with session.no_autoflush:
                check_not_last_admin(user, session)
    try:
        user.email = validation.normalize_email(user.email, "email", required=True)
    except ValidationError as exc:
        errors.update(exc.errors)
    if user.role not in access.ROLES:
        errors.setdefault("role", []).append(_l("Choose one of the listed values."))
    if not (user.name or "").strip():
        errors.setdefault("name", []).append(_l("This field is required."))
    if user.email:
        clash = session.scalar(select(User.id).where(User.email == user.email, User.id != (user.id or 0)))
        if clash:
            errors.setdefault("email", []).append(_l("Another account already uses this email."))
    if is_created and not new_password:
        errors.setdefault("new_password", []).append(_l("A new account needs a password."))
    if new_password:
        try:
            user.password_hash = hash_password(new_password)
            user.session_token = new_session_token()
        except ValidationError as exc:
            errors.setdefault("new_password", []).extend(exc.errors["password"])
    if errors:
        raise ValidationError(errors)
    if user.active is False:
        user.session_token = new_session_token()
    return user


def create_user(
    email: str, password: str, role: str, name: str | None = None, team: Team | None = None, session=None
) -> User:
    session = session or db.session
    user = User(email=email, name=name or email.split("@")[0], role=role, team=team, active=True)
    prepare(user, new_password=password, is_created=True, session=session)
    session.add(user)
    session.flush()
    audit.record("create", user, changes=audit.diff(user, {}), session=session)
    return user


def _has_work(user: User, session) -> bool:
    """Does an (inactive) account still own customers, open complaints or planned appointments?"""
    for query in (
        select(Customer.id).where(Customer.owner_id == user.id),
        select(Complaint.id).where(Complaint.assignee_id == user.id, Complaint.status.notin_(("resolved", "closed"))),
        select(Appointment.id).where(Appointment.agent_id == user.id, Appointment.status == "planned"),
    ):
        if session.scalar(query.limit(1)) is not None:
            return True
    return False


def hand_over(leaver: User, successor: User, actor: User, session=None) -> dict[str, int]:
    """Deactivate ``leaver`` and give all their customers, open complaints and future
    appointments to ``successor`` in one transaction, so nothing is lost (seed 003); what moved
    is kept (``services.handover``) for the result page and the same-day undo. The leaver's
    row is locked and deactivated by compare-and-set first: a second hand-over is AlreadyDone."""
    session = session or db.session
    if not access.allowed(actor, "staff", "handover"):
        raise NotAllowed()
    check_target(actor, leaver)
    was_active = leaver.active
    locking.lock(leaver, session)
    if not leaver.active and (was_active or not _has_work(leaver, session)):
        raise AlreadyDone()  # a parallel hand-over did it a moment ago, or nothing is left to hand over
    if access.role_has(leaver.role, "administers_staff") and leaver.active:
        check_not_last_admin(leaver, session)
    if leaver.id == successor.id:
        raise ValidationError({"successor": [_l("Choose another person to take over.")]})
    if not successor.active or not access.role_has(successor.role, "takes_over_work"):
        raise ValidationError({"successor": [_l("The successor must be an active agent, lead or head.")]})
    counts, _record = handover.move(leaver, successor, actor, session)
    if was_active and (
        session.execute(
            update(User)
            .where(User.id == leaver.id, User.active.is_(True))
            .values(active=False)
            .execution_options(synchronize_session=False)
        ).rowcount
        != 1
    ):
        raise AlreadyDone()
    set_committed_value(leaver, "active", False)
    leaver.session_token = new_session_token()
    audit.record(
        "handover", leaver, user=actor, changes=counts, detail=f"{leaver.email} -> {successor.email}", session=session
    )
    return counts
