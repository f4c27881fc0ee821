from django import template

from pipit.ordering import statuses

register = template.Library()


@register.filter
def stock_warning(line) -> str:
    """Why the strategy would refuse this basket line's quantity now ("" when it is fine)."""
    if not line.stockrecord_id:
        return ""
    permitted, reason = line.purchase_info.availability.is_purchase_permitted(line.quantity)
    return "" if permitted else str(reason)


@register.filter
def status_label(status: str) -> str:
    return statuses.label(status)
