"""Policies, one row per version: draft → submitted → approved → published → retired.

A rejected version goes back to draft when it is edited (or reopened by its author). A
published version is never changed: ``edit_published`` makes a new draft row (version + 1,
same code), and publishing a version retires the version of the same code published before.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from models import Policy, db
from models.choices import POLICY_KINDS, PUBLISH_CHANNELS
from services import approvals, audit, locking
from services.errors import InvalidTransition, ValidationError
from services.workflow import require, require_status

EDITABLE = ("draft", "rejected")
COPIED = ("code", "title", "kind", "body", "channels", "effective_from", "effective_to", "return_days")


def parse_channels(raw) -> str | None:
    """``"website, zalo"`` or a list -> ``"website,zalo"`` (known codes only, in the vocabulary's order)."""
    items = raw if isinstance(raw, list | tuple | set) else (raw or "").split(",")
    codes = {str(c).strip().lower() for c in items if str(c).strip()}
    unknown = sorted(codes - set(PUBLISH_CHANNELS))
    if unknown:
        raise ValidationError({"channels": [_l("Unknown channel: %(codes)s", codes=", ".join(unknown))]})
    return ",".join(c for c in PUBLISH_CHANNELS if c in codes) or None


def validate(policy: Policy, session=None) -> None:
    """Normalise and check the fields a person types; ValidationError lists every problem."""
    session = session or db.session
    errors: dict[str, list] = {}
    policy.code = (policy.code or "").strip().upper()
    policy.title = (policy.title or "").strip()
    for name in ("code", "title", "body"):
        if not (getattr(policy, name) or "").strip():
            errors.setdefault(name, []).append(_l("This field is required."))
    if policy.kind not in POLICY_KINDS:
        errors.setdefault("kind", []).append(_l("Choose one of the listed values."))
    try:
        policy.channels = parse_channels(policy.channels)
    except ValidationError as exc:
        errors.update(exc.errors)
    if policy.effective_from and policy.effective_to and policy.effective_to <= policy.effective_from:
        errors.setdefault("effective_to", []).append(_l("The end date must be after the start date."))
    if policy.code:
        clash = session.scalar(
            select(Policy.id).where(
                Policy.code == policy.code, Policy.version == (policy.version or 1), Policy.id != (policy.id or 0)
            )
        )
        if clash:
            errors.setdefault("code", []).append(
                _l("This code is already used; to change a published policy, edit it as a new version.")
            )
    if errors:
        raise ValidationError(errors)


def prepare(policy: Policy, user, is_created: bool, before: dict | None = None, session=None) -> None:
    """Rules for the create and edit forms: a new policy is a draft version 1 by ``user``;
    only a draft or rejected version may change (a rejected one goes back to draft)."""
    if is_created:
        policy.version = 1
        policy.status = "draft"
        policy.author_id = user.id
    else:
        status = (before or {}).get("status", policy.status)
        if status not in EDITABLE:
            raise ValidationError(
                {"status": [_l("Only a draft can be edited; edit a published policy as a new version.")]}
            )
        if before and before.get("code") != policy.code and policy.version != 1:
            raise ValidationError({"code": [_l("The code of a later version cannot change.")]})
        if status == "rejected":
            policy.status = "draft"
    validate(policy, session)


def submit(policy: Policy, user) -> None:
    require(user, "submit", "policy", policy)
    validate(policy)
    approvals.submit(policy, user)


def decide(policy: Policy, user, approve: bool, comment: str | None = None) -> None:
    """Approve or reject a submitted version (the head; never its author or submitter)."""
    require_status(policy, "submitted", to="approved" if approve else "rejected")
    require(user, "approve", "policy", policy)
    approvals.decide(policy, user, approve, comment)


def reopen(policy: Policy, user) -> None:
    """A rejected version goes back to draft, by whoever may edit it or its author."""
    require_status(policy, "rejected", to="draft")
    require(user, "create", "policy", policy)
    locking.claim(policy, ("rejected",), "draft")
    audit.record("transition", policy, user=user, changes={"status": ("rejected", "draft")})


def publish(policy: Policy, user, session=None) -> list[Policy]:
    """Publish an approved version; returns the versions of the same code it retired."""
    session = session or db.session
    require_status(policy, "approved", to="published")
    require(user, "publish", "policy", policy)
    if not policy.channels:
        raise ValidationError({"channels": [_l("Choose at least one channel to publish to.")]})
    retired = session.scalars(
        select(Policy).where(Policy.code == policy.code, Policy.status == "published", Policy.id != policy.id)
    ).all()
    for old in retired:
        old.status = "retired"
        audit.record(
            "retire", old, user=user, changes={"status": ("published", "retired")}, detail=f"v{policy.version}"
        )
    locking.claim(policy, ("approved",), "published", session=session)
    audit.record("publish", policy, user=user, changes={"status": ("approved", "published")})
    return list(retired)


def retire(policy: Policy, user) -> None:
    require_status(policy, "published", to="retired")
    require(user, "retire", "policy", policy)
    locking.claim(policy, ("published",), "retired")
    audit.record("retire", policy, user=user, changes={"status": ("published", "retired")})


def edit_published(policy: Policy, user, session=None) -> Policy:
    """A new draft row (same code, next version) with the published version's content.

    The published row stays as it is until the new version is itself published.
    """
    session = session or db.session
    require_status(policy, "published")
    require(user, "view", "policy", policy)
    require(user, "create", "policy")
    pending = session.scalar(
        select(Policy.id).where(
            Policy.code == policy.code, Policy.version > policy.version, Policy.status.notin_(("retired",))
        )
    )
    if pending:
        raise InvalidTransition(_l("A newer version of this policy is already being prepared."))
    last = session.scalar(select(func.max(Policy.version)).where(Policy.code == policy.code)) or policy.version
    draft = Policy(**{name: getattr(policy, name) for name in COPIED})
    draft.version = last + 1
    draft.status = "draft"
    draft.author_id = user.id
    session.add(draft)
    session.flush()
    audit.record("create", draft, user=user, detail=f"new version of {policy.code} v{policy.version}")
    return draft
