"""Order placement: the one place a basket becomes an order.

The storefront checkout and the REST API both call :func:`place_order`. It validates the buyer's
input, reserves stock in the storefront's warehouses, writes Oscar's order models and queues the
notifications, all in one transaction: an order either exists with its stock reserved, or nothing
was written.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

import phonenumbers
import pycountry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.apps.address.models import Country
from oscar.apps.basket.models import Basket
from oscar.apps.checkout.calculators import OrderTotalCalculator
from oscar.apps.offer.applicator import Applicator
from oscar.apps.order.utils import OrderCreator, OrderNumberGenerator
from oscar.apps.payment.models import Source, SourceType

from pipit.catalog.queries import products_for_storefront
from pipit.companies.access import buyer_company
from pipit.companies.models import Company, CompanyAddress
from pipit.inventory import services as inventory
from pipit.oscar_apps.order.models import Order, ShippingAddress
from pipit.plugins.dispatch import queue_event, run_value_hook
from pipit.pricing.records import record_line_prices
from pipit.pricing.strategy import StorefrontStrategy
from pipit.tenancy.models import Storefront

from .models import LineAllocation
from .shipping import shipping_methods, shipping_options

ON_ACCOUNT_SOURCE = {"code": "on-account", "name": "On account"}
PO_NUMBER_MAX_LENGTH = Order._meta.get_field("po_number").max_length


class OrderPlacementError(ValidationError):
    """Why an order was not placed, keyed by field: ``basket``, ``lines``, ``shipping_address``,
    ``shipping_method``, ``po_number``, ``requested_delivery_date``.

    ``order`` is the existing order when the basket had already been ordered (a resubmit), so a
    caller can show that order instead of an error.
    """

    def __init__(self, message, code=None, params=None, *, order: Order | None = None):
        super().__init__(message, code, params)
        self.order = order


class AllocatingOrderCreator(OrderCreator):
    """Oscar's order creator, reserving stock per warehouse instead of on the stock record.

    Oscar calls :meth:`update_stock_records` once per line in stock-record order after writing the
    lines; each reservation is recorded as :class:`~pipit.ordering.models.LineAllocation` rows.
    """

    def __init__(self, warehouse_ids: list[int]):
        self.warehouse_ids = warehouse_ids
        self._order_lines: dict[int, object] = {}
        self._priced: list[tuple[object, object]] = []

    def create_line_models(self, order, basket_line, extra_line_fields=None):
        order_line = super().create_line_models(order, basket_line, extra_line_fields)
        self._order_lines[basket_line.pk] = order_line
        self._priced.append((order_line, basket_line))
        return order_line

    def place_order(self, *args, **kwargs):
        order = super().place_order(*args, **kwargs)
        # Each line keeps its price and how it was made (lists and rules change later).
        record_line_prices(self._priced)
        return order

    def update_stock_records(self, line):
        if not _tracks_stock(line.product):
            return
        allocations = inventory.allocate(line.stockrecord, line.quantity, self.warehouse_ids)
        LineAllocation.objects.bulk_create(
            LineAllocation(
                line=self._order_lines[line.pk], warehouse_id=a.warehouse_id, quantity=a.quantity
            )
            for a in allocations
        )


def place_order(
    *,
    storefront: Storefront,
    user,
    basket: Basket,
    shipping_address: CompanyAddress,
    po_number: str = "",
    requested_delivery_date: datetime.date | None = None,
    comment: str = "",
    shipping_method_code: str = "",
) -> Order:
    """Place the buyer's basket as an order on account (to be paid by invoice).

    Raises :class:`OrderPlacementError` for bad input, lines the storefront does not sell, errors
    of the storefront's ``checkout_validation`` plugins (under ``basket``), a delivery method not
    offered for this basket and address (under ``shipping_method``; none offered at all is an
    error of the ``basket``) and stock shortages (naming every short line); nothing is written
    then. ``shipping_method_code`` names one of :func:`~pipit.ordering.shipping.shipping_methods`;
    empty means the first (the one preselected at checkout). The order is charged its price. Placing the same basket
    twice never makes two orders: the second call raises with ``error.order`` set to the first.
    """
    company = _buyer_company(storefront, user)
    po_number = (po_number or "").strip()
    comment = (comment or "").strip()
    errors: dict[str, list[str]] = {}
    if basket.owner_id is None or basket.owner_id != user.pk:
        raise OrderPlacementError({"basket": [_("This cart belongs to someone else.")]})
    if shipping_address is None or shipping_address.company_id != company.pk:
        errors["shipping_address"] = [_("Choose one of your company's delivery addresses.")]
    if len(po_number) > PO_NUMBER_MAX_LENGTH:
        errors["po_number"] = [
            _("A PO number has at most %(n)d characters.") % {"n": PO_NUMBER_MAX_LENGTH}
        ]
    if requested_delivery_date is not None and requested_delivery_date < timezone.localdate():
        errors["requested_delivery_date"] = [_("The requested delivery date is in the past.")]
    if errors:
        raise OrderPlacementError(errors)

    try:
        with transaction.atomic():
            order = _place(
                storefront=storefront,
                company=company,
                user=user,
                basket=basket,
                address=shipping_address,
                po_number=po_number,
                requested_delivery_date=requested_delivery_date,
                comment=comment,
                shipping_method_code=(shipping_method_code or "").strip(),
            )
    except inventory.InsufficientStock as shortage:
        # Only reachable where rows cannot be locked (SQLite) and another order won the race.
        raise OrderPlacementError({"lines": [shortage.message]}, code="out_of_stock") from None
    except (IntegrityError, ValueError) as error:
        # Oscar refuses a second order with the basket's number; a concurrent resubmit on a
        # database without row locks ends up here.
        existing = Order.objects.filter(basket_id=basket.pk).first()
        if existing is None:
            raise
        raise _already_placed(existing) from error

    from .tasks import send_order_placed_notifications

    event = {
        "order_number": order.number,
        "storefront_id": storefront.pk,
        "company_id": order.company_id,
        "total_incl_tax": str(order.total_incl_tax),
        "currency": order.currency,
    }

    def notify() -> None:
        try:
            send_order_placed_notifications.delay(order.pk, storefront.pk)
        finally:
            # Plugins hear of the order even when the confirmation mail fails.
            queue_event("order_placed", event, storefront_id=storefront.pk)

    # Robust: the order stands even if the broker (or, run eagerly, the mail server) fails. Not a
    # functools.partial: Django logs a failed robust callback by its __qualname__.
    transaction.on_commit(notify, robust=True)
    return order


def release_order_stock(order: Order) -> int:
    """Give the stock reserved by ``order`` back to its warehouses (the order was cancelled).

    Only reservations still held are released: one consumed by shipping stays consumed, so a
    shipped order cancelled afterwards changes no stock. Idempotent. Returns the units given back.
    """
    return _end_reservations(order, LineAllocation.State.RELEASED, inventory.release)


def consume_order_stock(order: Order) -> int:
    """Take the stock reserved by ``order`` out of its warehouses (the order was shipped).

    ``num_in_stock`` and ``num_allocated`` drop together, in one locked step with marking the
    allocations consumed, so a repeated call (or a later cancel) changes nothing. Returns the
    units taken out.
    """
    return _end_reservations(order, LineAllocation.State.CONSUMED, inventory.consume)


def _end_reservations(order: Order, state: str, apply) -> int:
    with transaction.atomic():
        # Locking the allocations first serialises two status changes of the same order: the
        # second one waits here and then finds nothing still reserved.
        allocations = list(
            LineAllocation.objects.select_for_update(of=("self",))
            .filter(line__order=order, state=LineAllocation.State.RESERVED)
            .select_related("line")
            .order_by("line__stockrecord_id", "warehouse_id")
        )
        for allocation in allocations:
            apply(
                allocation.line.stockrecord_id,
                [inventory.Allocation(allocation.warehouse_id, allocation.quantity)],
            )
        LineAllocation.objects.filter(pk__in=[a.pk for a in allocations]).update(state=state)
    return sum(a.quantity for a in allocations)


def _place(
    *,
    storefront,
    company,
    user,
    basket,
    address,
    po_number,
    requested_delivery_date,
    comment,
    shipping_method_code,
):
    # Locking the basket row serialises resubmits of the same basket: the second one waits here,
    # then finds the basket submitted.
    locked = Basket.objects.select_for_update().get(pk=basket.pk)
    if locked.status == Basket.SUBMITTED:
        raise _already_placed(Order.objects.filter(basket_id=basket.pk).first())
    if locked.status not in (Basket.OPEN, Basket.FROZEN):
        raise OrderPlacementError({"basket": [_("This cart can no longer be ordered.")]})

    # Price and discount the lines as they are now, with this storefront's strategy for this buyer.
    basket.strategy = StorefrontStrategy(storefront=storefront, user=user)
    basket.reset_offer_applications()
    Applicator().apply(basket, user)
    lines = list(basket.all_lines())
    if not lines:
        raise OrderPlacementError({"basket": [_("Your cart is empty.")]}, code="empty")
    _check_lines(storefront, lines)
    _check_plugins(storefront, basket, user, company)
    shipping = _shipping(storefront, basket, user, company, address, shipping_method_code)
    _check_stock(storefront, lines)

    shipping_method, shipping_charge = shipping.method, shipping.charge
    total = OrderTotalCalculator().calculate(basket, shipping_charge)
    order = AllocatingOrderCreator(storefront.warehouse_ids).place_order(
        basket=basket,
        total=total,
        shipping_method=shipping_method,
        shipping_charge=shipping_charge,
        user=user,
        shipping_address=_shipping_address(address, company),
        order_number=str(OrderNumberGenerator().order_number(basket)),
        storefront=storefront,
        company=company,
        po_number=po_number,
        requested_delivery_date=requested_delivery_date,
        buyer_comment=comment,
    )
    source_type, _created = SourceType.objects.get_or_create(
        code=ON_ACCOUNT_SOURCE["code"], defaults={"name": ON_ACCOUNT_SOURCE["name"]}
    )
    Source.objects.create(
        order=order,
        source_type=source_type,
        currency=order.currency,
        amount_allocated=order.total_incl_tax,
        reference=po_number,
    )
    basket.submit()
    return order


def _already_placed(order: Order | None) -> OrderPlacementError:
    if order is None:
        return OrderPlacementError({"basket": [_("This cart has already been ordered.")]})
    return OrderPlacementError(
        {
            "basket": [
                _("This cart has already been ordered as order %(number)s.")
                % {"number": order.number}
            ]
        },
        code="already_placed",
        order=order,
    )


def _buyer_company(storefront: Storefront, user) -> Company:
    # active=False only to give a suspended company's buyer its own message; refused below.
    company = buyer_company(user, storefront, active=False)
    if company is None:
        raise OrderPlacementError(
            {"basket": [_("Only buyers of a company registered on this storefront can order.")]},
            code="no_company",
        )
    if not company.is_active:
        raise OrderPlacementError(
            {"basket": [_("Your company's account is suspended; please contact your manager.")]},
            code="company_inactive",
        )
    return company


def _check_lines(storefront: Storefront, lines) -> None:
    top_level_ids = {line.product.parent_id or line.product_id for line in lines}
    sold_here = set(
        products_for_storefront(storefront)
        .filter(pk__in=top_level_ids)
        .values_list("pk", flat=True)
    )
    problems = []
    for line in lines:
        product = line.product
        title = product.get_title()
        in_scope = (
            (product.parent_id or product.pk) in sold_here
            and product.is_public
            and line.stockrecord is not None
            and line.stockrecord.partner_id in storefront.partner_ids
        )
        if not in_scope:
            problems.append(_("'%(product)s' is not sold on this storefront") % {"product": title})
        elif not line.purchase_info.price.exists or not line.purchase_info.price.is_tax_known:
            problems.append(_("'%(product)s' has no price for you") % {"product": title})
    if problems:
        raise OrderPlacementError({"lines": problems}, code="not_sold")


def _check_plugins(storefront: Storefront, basket: Basket, user, company: Company) -> None:
    """The storefront's ``checkout_validation`` plugins may refuse the order (before any stock
    is reserved); their messages are shown as errors of the cart."""
    # Each plugin in its own savepoint: a plugin whose query fails is skipped (the documented
    # fallback) without aborting the order's transaction.
    problems = run_value_hook(
        "checkout_validation",
        [],
        storefront=storefront,
        savepoint=True,
        basket=basket,
        user=user,
        company=company,
    )
    if problems:
        raise OrderPlacementError(
            {"basket": [str(problem) for problem in problems]}, code="plugin_validation"
        )


def _shipping(storefront, basket, user, company, address, code: str):
    """The delivery option the buyer chose, priced now; refused when it is not offered."""
    options = shipping_options(
        shipping_methods(storefront, basket, user, company, address, savepoint=True),
        basket,
        savepoint=True,
    )
    if not options:
        raise OrderPlacementError(
            {"basket": [_("This cart cannot be delivered to this address.")]},
            code="not_deliverable",
        )
    if not code:
        return options[0]
    chosen = next((option for option in options if option.code == code), None)
    if chosen is None:
        raise OrderPlacementError(
            {
                "shipping_method": [
                    _("This delivery method is not available for this cart and address.")
                ]
            },
            code="shipping_method",
        )
    return chosen


def _check_stock(storefront: Storefront, lines) -> None:
    """Lock the basket's stock rows and name every line the warehouses cannot fill."""
    wanted: dict[int, int] = defaultdict(int)
    titles: dict[int, str] = {}
    for line in lines:
        if _tracks_stock(line.product):
            wanted[line.stockrecord_id] += line.quantity
            titles[line.stockrecord_id] = line.product.get_title()
    available = inventory.lock_available(sorted(wanted), storefront.warehouse_ids)
    problems = []
    for stockrecord_id, quantity in wanted.items():
        have = available[stockrecord_id]
        if quantity <= have:
            continue
        if have <= 0:
            problems.append(
                _("'%(product)s' is out of stock") % {"product": titles[stockrecord_id]}
            )
        else:
            problems.append(
                _("Only %(available)d of '%(product)s' are available (you asked for %(n)d)")
                % {"available": have, "product": titles[stockrecord_id], "n": quantity}
            )
    if problems:
        raise OrderPlacementError({"lines": problems}, code="out_of_stock")


def _tracks_stock(product) -> bool:
    product_class = product.get_product_class()
    return product_class is None or product_class.track_stock


def _shipping_address(address: CompanyAddress, company: Company) -> ShippingAddress:
    """A frozen copy of the company's address for the order (later edits don't change it)."""
    phone = ""
    notes = []
    if address.contact_phone:
        try:
            parsed = phonenumbers.parse(address.contact_phone, _country_code())
            if phonenumbers.is_valid_number(parsed):
                phone = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        except phonenumbers.NumberParseException:
            pass
        if not phone:
            notes.append(address.contact_phone)
    shipping = ShippingAddress(
        first_name=address.contact_name,
        line1=address.line1,
        line2=address.line2,
        line3=company.name,
        line4=address.city,
        postcode=address.postcode,
        country=_country(),
        phone_number=phone,
        notes="\n".join([address.label, *notes]),
    )
    shipping.save()
    return shipping


def _country_code() -> str:
    return getattr(settings, "PIPIT_DEFAULT_COUNTRY", "RU")


def _country() -> Country:
    """The country Oscar's address requires; company addresses are domestic."""
    code = _country_code()
    try:
        return Country.objects.get(iso_3166_1_a2=code)
    except Country.DoesNotExist:
        info = pycountry.countries.get(alpha_2=code)
        country, _created = Country.objects.get_or_create(
            iso_3166_1_a2=code,
            defaults={
                "iso_3166_1_a3": info.alpha_3 if info else "",
                "iso_3166_1_numeric": info.numeric if info else "",
                "printable_name": getattr(info, "common_name", None)
                or (info.name if info else code),
                "name": getattr(info, "official_name", None) or (info.name if info else code),
                "is_shipping_country": True,
            },
        )
        return country
