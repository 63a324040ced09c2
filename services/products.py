"""Product rules: required name and SKU, no negative numbers, and the folded search column."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from models import Product, db
from services import validation
from services.errors import ValidationError
from services.text import fold


def search_text_for(sku: str | None, name: str | None) -> str:
    """What product search matches: the folded SKU and name ("may loc nuoc" finds "Máy lọc nước")."""
    return (" " + " ".join(p for p in (fold(sku), fold(name)) if p))[:300]


def prepare(product: Product, session=None) -> Product:
    """Validate and normalise a product before it is saved; raises ValidationError per field."""
    session = session or db.session
    errors: dict[str, list] = {}
    name = sku = None
    try:
        name = validation.require_text(product.name, "name", 200)
    except ValidationError as exc:
        errors.update(exc.errors)
    try:
        sku = validation.require_text(product.sku, "sku", 40)
    except ValidationError as exc:
        errors.update(exc.errors)
    for field in ("price", "stock", "warranty_months"):
        value = getattr(product, field)
        if value is not None and value < 0:
            errors.setdefault(field, []).append(_l("The value cannot be negative."))
    if sku:
        clash = select(Product.id).where(Product.sku == sku)
        if product.id:
            clash = clash.where(Product.id != product.id)
        if session.scalar(clash) is not None:
            errors.setdefault("sku", []).append(_l("Another product already has this SKU."))
    if errors:
        raise ValidationError(errors)
    product.name, product.sku = name, sku
    product.price = product.price or 0
    product.stock = product.stock or 0
    product.warranty_months = product.warranty_months if product.warranty_months is not None else 12
    product.search_text = search_text_for(sku, name)
    return product
