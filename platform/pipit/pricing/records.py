"""What an order keeps of its prices: each line's price with the chain that made it.

Lists and rules change after the order; the order line keeps the names and amounts as they were.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from .engine import BASE, CAP, LIST, RULE
from .models import LinePrice, PriceList, PriceRule


def named_steps(steps_lists: list[list]) -> list[list[dict]]:
    """Compact engine steps turned into self-contained, named ones (two queries in all)."""
    list_ids = {s[1] for steps in steps_lists for s in steps if s[0] == LIST}
    rule_ids = {s[1] for steps in steps_lists for s in steps if s[0] == RULE}
    lists = dict(PriceList.objects.filter(pk__in=list_ids).values_list("pk", "name"))
    rules = dict(PriceRule.objects.filter(pk__in=rule_ids).values_list("pk", "name"))
    named = []
    for steps in steps_lists:
        out = []
        for step in steps:
            kind = step[0]
            if kind == BASE:
                out.append({"kind": "base", "name": _("Base price"), "price": step[1]})
            elif kind == LIST:
                out.append(
                    {
                        "kind": "list",
                        "id": step[1],
                        "name": lists.get(step[1], ""),
                        "price": step[2],
                    }
                )
            elif kind == RULE:
                out.append(
                    {
                        "kind": "rule",
                        "id": step[1],
                        "name": rules.get(step[1], ""),
                        "price": step[2],
                    }
                )
            elif kind == CAP:
                out.append(
                    {"kind": "cap", "name": _("Price for a smaller quantity"), "price": step[1]}
                )
        named.append(out)
    return named


def record_line_prices(pairs) -> list[LinePrice]:
    """Keep the price and its explanation of each ``(order_line, basket_line)`` pair."""
    rows = []
    for order_line, basket_line in pairs:
        price = basket_line.purchase_info.price
        tier = getattr(price, "tier", None)
        if tier is None:
            continue
        rows.append((order_line, basket_line.quantity, tier))
    named = named_steps([tier.steps for _line, _qty, tier in rows])
    return LinePrice.objects.bulk_create(
        LinePrice(
            line=line,
            quantity=quantity,
            base_price=Decimal(tier.base_price),
            price=Decimal(tier.price),
            explanation=steps,
        )
        for (line, quantity, tier), steps in zip(rows, named, strict=True)
    )
