"""Survey answers: CSAT 1–5 and NPS 0–10, at least one of them."""

from flask_babel import lazy_gettext as _l

from models import SurveyAnswer
from services.errors import ValidationError


def prepare(answer: SurveyAnswer) -> SurveyAnswer:
    """Validate a survey answer before it is saved; raises ValidationError per field."""
    errors: dict[str, list] = {}
    if answer.customer_id is None and getattr(answer, "customer", None) is None:
        errors["customer"] = [_l("This field is required.")]
    if answer.csat is not None and not 1 <= answer.csat <= 5:
        errors["csat"] = [_l("CSAT is a score from 1 to 5.")]
    if answer.nps is not None and not 0 <= answer.nps <= 10:
        errors["nps"] = [_l("NPS is a score from 0 to 10.")]
    if answer.csat is None and answer.nps is None and not errors:
        errors["csat"] = [_l("Give a CSAT or an NPS score.")]
    if errors:
        raise ValidationError(errors)
    if getattr(answer, "customer", None) is not None:
        answer.customer_id = answer.customer.id
    answer.comment = (answer.comment or "").strip() or None
    return answer
