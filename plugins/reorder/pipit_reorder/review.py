"""Repeating an order: what each of its lines would become in the cart today, and adding them.

:func:`company_order` finds an order the buyer may repeat (their company's, on this storefront).
:func:`review_order` prices every line for this buyer today and says what will happen to it:
added as ordered, not enough in stock (the buyer may choose the available quantity), unavailable
(with the restock date) or discontinued; unavailable lines come with analogs. The review costs a
fixed number of queries whatever the number of lines. :func:`repeat` adds the lines the buyer
chose through :func:`pipit.ordering.basket.add_to_basket`, which never changes a quantity, and
returns a report of what was added and what was not, with reasons.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from oscar.apps.catalogue.models import Product
from oscar.apps.partner.strategy import PurchaseInfo
from oscar.core.loading import get_model
from pipit.catalog.analogs import analogs_for
from pipit.catalog.queries import purchasable_for_storefront, purchase_info, with_purchase_info
from pipit.companies.access import require_buyer_company
from pipit.ordering.basket import add_to_basket

Order = get_model("order", "Order")
OrderLine = get_model("order", "Line")

READY = "ready"
SHORT = "short"
UNAVAILABLE = "unavailable"
DISCONTINUED = "discontinued"
# Outcomes only: a line the buyer left out, and one the cart refused when it was added.
NOT_SELECTED = "not_selected"
REFUSED = "refused"

# With a context: Pipit's own catalog has some of these words, and it would win (it loads first).
STATUS_LABELS = {
    READY: pgettext_lazy("repeat order line", "Will be added"),
    SHORT: pgettext_lazy("repeat order line", "Not enough in stock"),
    UNAVAILABLE: pgettext_lazy("repeat order line", "Unavailable"),
    DISCONTINUED: pgettext_lazy("repeat order line", "Discontinued"),
}


def company_order(request, number: str) -> Order:
    """The order ``number`` of the request's buyer company on this storefront, or 404.

    Company-wide, as the order history: a buyer repeats a colleague's order too. Another
    company's order, another storefront's, or a visitor without a company gets a 404 that does
    not say whether the order exists. The lines come with their products.
    """
    company = require_buyer_company(
        request,
        not_found=True,
        message=_("Orders are repeated by buyers of a company of this storefront."),
    )
    lines = OrderLine.objects.select_related("product").order_by("pk")
    order = (
        Order.objects.for_company(request.storefront, company)
        .prefetch_related(Prefetch("lines", queryset=lines))
        .filter(number=number)
        .first()
    )
    if order is None:
        raise Http404(_("No such order."))
    return order


@dataclass
class Offer:
    """A product as this buyer can buy it today: price, stock and whether it can go in the cart."""

    product: Product
    info: PurchaseInfo

    @property
    def title(self) -> str:
        return self.product.get_title()

    @property
    def sku(self) -> str:
        record = self.info.stockrecord
        return (record.partner_sku if record else "") or self.product.upc or ""

    @property
    def price(self):
        """Today's price for this buyer (``excl_tax``, ``incl_tax``, ``currency``), or None."""
        price = self.info.price
        return price if price.exists and price.is_tax_known else None

    @property
    def availability(self):
        return self.info.availability

    @property
    def num_available(self) -> int | None:
        return getattr(self.info.availability, "num_available", None)

    @property
    def restock_date(self) -> datetime.date | None:
        return getattr(self.info.availability, "restock_date", None)

    @property
    def url(self) -> str:
        shown = self.product.parent if self.product.is_child else self.product
        return shown.get_absolute_url()

    @property
    def is_parent(self) -> bool:
        return self.product.is_parent

    @property
    def can_add(self) -> bool:
        return (
            not self.product.is_parent
            and self.info.stockrecord is not None
            and self.price is not None
            and self.info.availability.is_available_to_buy
        )


@dataclass
class ReviewLine:
    """One line of the original order and what repeating it does today."""

    line: OrderLine
    status: str
    reason: str = ""
    offer: Offer | None = None
    in_cart: int = 0
    #: For a line short of stock: how many the buyer may choose to add instead (never assumed).
    available_quantity: int | None = None
    restock_date: datetime.date | None = None
    analogs: list[Offer] = field(default_factory=list)

    @property
    def pk(self) -> int:
        return self.line.pk

    @property
    def title(self) -> str:
        return self.line.title

    @property
    def sku(self) -> str:
        return self.line.partner_sku or self.line.upc or ""

    @property
    def quantity(self) -> int:
        return self.line.quantity

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def is_ready(self) -> bool:
        return self.status == READY

    @property
    def price(self):
        return self.offer.price if self.offer else None

    @property
    def total_excl_tax(self) -> Decimal | None:
        price = self.price
        return price.excl_tax * self.quantity if price is not None else None

    @property
    def price_then(self) -> Decimal | None:
        """The unit price excl. VAT paid in the original order."""
        return self.line.unit_price_excl_tax

    @property
    def price_changed(self) -> bool:
        price = self.price
        return (
            price is not None and self.price_then is not None and price.excl_tax != self.price_then
        )


@dataclass
class Review:
    order: Order
    lines: list[ReviewLine]

    @property
    def ready(self) -> list[ReviewLine]:
        return [line for line in self.lines if line.is_ready]

    @property
    def not_ready(self) -> list[ReviewLine]:
        return [line for line in self.lines if not line.is_ready]

    @property
    def currency(self) -> str:
        for line in self.ready:
            return line.price.currency
        return self.order.currency

    @property
    def ready_total_excl_tax(self) -> Decimal:
        return sum((line.total_excl_tax for line in self.ready), Decimal("0"))

    @property
    def ready_total_incl_tax(self) -> Decimal:
        return sum((line.price.incl_tax * line.quantity for line in self.ready), Decimal("0"))

    def count(self, status: str) -> int:
        return sum(1 for line in self.lines if line.status == status)

    def line(self, pk: int) -> ReviewLine | None:
        return next((line for line in self.lines if line.pk == pk), None)


def review_order(order: Order, *, storefront, strategy, basket, analog_limit: int) -> Review:
    """What repeating ``order`` puts in the buyer's cart today, line by line.

    ``strategy`` is the buyer's (``request.strategy``); ``basket`` their open basket, whose
    quantities count against the stock. ``analog_limit`` analogs (0: none) are offered for each
    line that cannot be added as ordered. Reads ``order.lines`` (see :func:`company_order`).
    """
    order_lines = list(order.lines.all())
    product_ids = {line.product_id for line in order_lines if line.product_id}
    products: dict[int, Product] = {}
    if product_ids:
        qs = purchasable_for_storefront(storefront).filter(pk__in=product_ids)
        products = {
            p.pk: p
            for p in with_purchase_info(qs.select_related("parent", "product_class"), storefront)
        }
    strategy.prime(products.values())  # every line's price in one query
    in_cart = _basket_quantities(basket)

    lines = [
        _review_line(line, products.get(line.product_id), strategy, in_cart) for line in order_lines
    ]
    if analog_limit:
        wanting = [line for line in lines if not line.is_ready and line.line.product is not None]
        found = analogs_for(storefront, [line.line.product for line in wanting], limit=analog_limit)
        strategy.prime(analog for analogs in found.values() for analog in analogs)
        for line in wanting:
            line.analogs = [
                Offer(analog, purchase_info(strategy, analog))
                for analog in found.get(line.line.product_id, [])
            ]
    return Review(order=order, lines=lines)


def _basket_quantities(basket) -> dict[int, int]:
    quantities: dict[int, int] = {}
    if basket is not None and basket.pk:
        for line in basket.all_lines():
            quantities[line.product_id] = quantities.get(line.product_id, 0) + line.quantity
    return quantities


def _review_line(
    line: OrderLine, product: Product | None, strategy, in_cart: dict[int, int]
) -> ReviewLine:
    if product is None:
        reason = (
            _("This product has been removed from the catalog.")
            if line.product_id is None
            else _("This product is no longer sold on this storefront.")
        )
        return ReviewLine(line, DISCONTINUED, reason)
    # Today's price for the quantity ordered (tier prices depend on it).
    offer = Offer(product, strategy.fetch_for_product(product, quantity=line.quantity))
    availability = offer.availability
    if offer.info.stockrecord is None:
        return ReviewLine(
            line, DISCONTINUED, _("This product is no longer sold on this storefront."), offer
        )
    if offer.price is None:
        return ReviewLine(
            line, UNAVAILABLE, _("This product has no price for you at the moment."), offer
        )
    if not availability.is_available_to_buy:
        return ReviewLine(
            line,
            UNAVAILABLE,
            str(availability.message) or _("This product is not available."),
            offer,
            restock_date=offer.restock_date,
        )
    already = in_cart.get(product.pk, 0)
    permitted, message = availability.is_purchase_permitted(already + line.quantity)
    if permitted:
        return ReviewLine(line, READY, "", offer, in_cart=already)
    free = offer.num_available - already if offer.num_available is not None else None
    if already and free is not None and free <= 0:
        reason = _("All the available stock is already in your cart.")
        return ReviewLine(line, UNAVAILABLE, reason, offer, in_cart=already)
    if free is None or not 0 < free < line.quantity:
        # Refused for another reason than the stock (a plugin's availability rule): say that.
        reason = str(message) or _("This product is not available.")
        return ReviewLine(line, UNAVAILABLE, reason, offer, in_cart=already)
    if already:
        reason = _(
            "Only %(available)d available, %(in_cart)d of them already in your cart; "
            "%(ordered)d were ordered."
        ) % {"available": offer.num_available, "in_cart": already, "ordered": line.quantity}
    else:
        reason = _("Only %(available)d available; %(ordered)d were ordered.") % {
            "available": free,
            "ordered": line.quantity,
        }
    return ReviewLine(line, SHORT, reason, offer, in_cart=already, available_quantity=free)


# -- repeating ---------------------------------------------------------------------------------


@dataclass
class Choices:
    """What the buyer chose on the review: every quantity is one they saw or typed.

    ``lines``: original lines to add as ordered; ``available``: line → the smaller quantity the
    buyer chose for a line short of stock; ``analogs``: line → {analog product id: quantity}.
    """

    lines: set[int] = field(default_factory=set)
    available: dict[int, int] = field(default_factory=dict)
    analogs: dict[int, dict[int, int]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not (self.lines or self.available or any(self.analogs.values()))

    @classmethod
    def everything_ready(cls, review: Review) -> Choices:
        """Every line that can be added as ordered, and nothing else (the one-click path)."""
        return cls(lines={line.pk for line in review.ready})


@dataclass
class Outcome:
    """One entry of the report: a product added (or not) and why."""

    title: str
    sku: str
    quantity: int
    reason: str = ""
    #: The original line this comes from (for an analog, the line it replaces).
    source: ReviewLine | None = None
    product: Product | None = None
    is_analog: bool = False
    #: What was added, as offered on the review (price, analogs of a refused line).
    offer: Offer | None = None
    #: Why it was not added: the line's status on the review, NOT_SELECTED, or REFUSED when the
    #: cart refused it (the stock changed since the review, a limit of the cart).
    status: str = READY


@dataclass
class Report:
    order: Order
    added: list[Outcome] = field(default_factory=list)
    not_added: list[Outcome] = field(default_factory=list)


def repeat(review: Review, basket, choices: Choices) -> Report:
    """Add what the buyer chose to ``basket`` and report every line of the order.

    Each chosen quantity goes to :func:`~pipit.ordering.basket.add_to_basket` as is: a line the
    stock no longer covers is refused with the reason, never added with less. Lines of the order
    nothing was added for are reported with why (their status, or not chosen).
    """
    wanted: list[Outcome] = []
    served: set[int] = set()
    for line in review.lines:
        if line.pk in choices.lines and line.is_ready:
            wanted.append(_wanted(line.offer, line.quantity, line))
        elif line.pk in choices.available and line.status == SHORT:
            wanted.append(_wanted(line.offer, choices.available[line.pk], line))
        chosen = choices.analogs.get(line.pk, {})
        for analog in line.analogs:
            if analog.product.pk in chosen:
                wanted.append(_wanted(analog, chosen[analog.product.pk], line, is_analog=True))
    result = add_to_basket(basket, [(outcome.product, outcome.quantity) for outcome in wanted])

    report = Report(order=review.order)
    refused = iter(result.refused)
    added_count = 0
    for outcome in wanted:
        # add_to_basket keeps the order of the lines it was given in both of its lists.
        if added_count < len(result.added) and _same(result.added[added_count], outcome):
            added_count += 1
            report.added.append(outcome)
            served.add(outcome.source.pk)
        else:
            outcome.reason = next(refused).reason
            outcome.status = REFUSED
            report.not_added.append(outcome)
    refused_lines = {o.source.pk for o in report.not_added if not o.is_analog}
    for line in review.lines:
        if line.pk in served or line.pk in refused_lines:
            continue
        if line.is_ready:
            reason, status = _("Not selected."), NOT_SELECTED
        else:
            reason, status = line.reason, line.status
        report.not_added.append(
            Outcome(
                line.title,
                line.sku,
                line.quantity,
                reason,
                source=line,
                offer=line.offer,
                status=status,
            )
        )
    return report


def preview(review: Review) -> Report:
    """The report :func:`repeat` would give for every line that can be added as ordered, with
    nothing written."""
    report = Report(order=review.order)
    for line in review.lines:
        outcome = Outcome(
            line.title,
            line.sku,
            line.quantity,
            line.reason,
            source=line,
            product=line.offer.product if line.offer else None,
            offer=line.offer,
            status=line.status,
        )
        (report.added if line.is_ready else report.not_added).append(outcome)
    return report


def _wanted(offer: Offer, quantity: int, source: ReviewLine, *, is_analog: bool = False) -> Outcome:
    return Outcome(
        title=offer.title if is_analog else source.title,
        sku=offer.sku if is_analog else source.sku,
        quantity=quantity,
        source=source,
        product=offer.product,
        is_analog=is_analog,
        offer=offer,
    )


def _same(added: tuple[Product, int], outcome: Outcome) -> bool:
    product, quantity = added
    return product is outcome.product and quantity == outcome.quantity
