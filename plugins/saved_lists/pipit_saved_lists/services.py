"""What the pages, the API, the UI slots and the demo do with saved lists, in one place.

Scoping: a list is only ever reached through :func:`company_lists` (the request's storefront and
the buyer's company), a product only through :func:`purchasable` (what a buyer can put in the
cart on the storefront). Writes that touch several rows run in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from oscar.apps.catalogue.models import Product
from oscar.apps.partner.strategy import PurchaseInfo
from pipit.catalog.queries import purchasable_for_storefront, with_purchase_info
from pipit.companies.models import Company, CompanyMember
from pipit.ordering.basket import add_to_basket
from pipit.oscar_apps.partner.models import StockRecord
from pipit.plugins.models import activations

from .models import SavedList, SavedListItem

PLUGIN_ID = "saved_lists"
DEFAULT_MAX_LISTS = 50
DEFAULT_MAX_ITEMS = 500
#: The largest quantity one item may hold (the cart API allows the same).
MAX_QUANTITY = 100_000


# -- settings -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """How many lists a company may keep and how many products one list may hold."""

    max_lists: int = DEFAULT_MAX_LISTS
    max_items: int = DEFAULT_MAX_ITEMS

    @classmethod
    def from_settings(cls, settings: dict) -> Limits:
        return cls(
            max_lists=int(settings.get("max_lists_per_company") or DEFAULT_MAX_LISTS),
            max_items=int(settings.get("max_items_per_list") or DEFAULT_MAX_ITEMS),
        )


def limits_for(storefront) -> Limits:
    """The limits the storefront's admin saved for this plugin (defaults when never saved)."""
    activation = activations(storefront).get(PLUGIN_ID)
    return Limits.from_settings(activation.settings if activation else {})


# -- scope --------------------------------------------------------------------------------------


def company_lists(storefront, company: Company | None) -> QuerySet[SavedList]:
    """The lists of ``company`` on ``storefront``: the only way to reach a list."""
    if storefront is None or company is None:
        return SavedList.objects.none()
    return SavedList.objects.filter(storefront=storefront, company=company)


def lists_with_counts(storefront, company: Company | None) -> QuerySet[SavedList]:
    """The company's lists, newest change first, with ``item_count`` and who made/changed them."""
    return (
        company_lists(storefront, company)
        .select_related("created_by", "updated_by")
        .annotate(item_count=Count("items"))
        .order_by("-updated_at", "-pk")
    )


def get_list(storefront, company: Company | None, pk) -> SavedList:
    """The company's list ``pk`` on this storefront; 404 for anyone else's, as if it did not exist."""
    saved_list = (
        company_lists(storefront, company)
        .select_related("created_by", "updated_by")
        .filter(pk=pk)
        .first()
    )
    if saved_list is None:
        raise Http404(_("No such saved list."))
    return saved_list


def can_delete(saved_list: SavedList, user) -> bool:
    """Who may delete a list: the colleague who created it, or an admin of the company.

    Everyone in the company may use and edit a shared list; deleting it removes it for all of
    them, so that is kept to its author and the company's admins.
    """
    if user is None or not user.is_authenticated:
        return False
    if saved_list.created_by_id is not None and saved_list.created_by_id == user.pk:
        return True
    membership = _membership(user)
    return (
        membership is not None
        and membership.company_id == saved_list.company_id
        and membership.role == CompanyMember.Role.ADMIN
    )


def _membership(user) -> CompanyMember | None:
    # buyer_company() has cached the membership on the user: no query here in a request.
    try:
        return user.company_membership
    except CompanyMember.DoesNotExist:
        return None


# -- products -----------------------------------------------------------------------------------


def purchasable(storefront) -> QuerySet[Product]:
    """Products a buyer may put in a list (and the cart) here, with what pricing reads prefetched."""
    return with_purchase_info(purchasable_for_storefront(storefront), storefront).select_related(
        "parent"
    )


def find_by_sku(storefront, code: str) -> Product | None:
    """The purchasable product whose SKU (the storefront's offer) or UPC is ``code``, any case."""
    code = (code or "").strip()
    if not code:
        return None
    offers = StockRecord.objects.filter(
        product=OuterRef("pk"), partner_id__in=storefront.partner_ids, partner_sku__iexact=code
    )
    return (
        purchasable(storefront)
        .filter(Q(Exists(offers)) | Q(upc__iexact=code))
        .order_by("pk")
        .first()
    )


def sku_of(product: Product) -> str:
    """The SKU of the storefront's offer of ``product`` (from :func:`purchasable`'s prefetch)."""
    records = list(product.stockrecords.all())
    return records[0].partner_sku if records else (product.upc or "")


def title_of(product: Product) -> str:
    return product.get_title()


def product_url(product: Product) -> str:
    """The product's page; a variant's is its parent's page."""
    return (product.parent if product.is_child else product).get_absolute_url()


# -- writing ------------------------------------------------------------------------------------


@dataclass
class NewItem:
    """A product and quantity to put in a list, with the snapshot it keeps."""

    product: Product
    quantity: int
    sku: str = ""
    title: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        self.sku = self.sku or sku_of(self.product)
        self.title = self.title or title_of(self.product)


def name_taken(storefront, company, name: str, *, exclude_pk: int | None = None) -> bool:
    qs = company_lists(storefront, company).filter(name__iexact=name.strip())
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


def name_taken_message(name: str) -> str:
    return _("Your company already has a list named “%(name)s”.") % {"name": name}


def check_can_create(storefront, company, limits: Limits) -> None:
    """Raise a ValidationError when the company already keeps as many lists as allowed."""
    if company_lists(storefront, company).count() >= limits.max_lists:
        raise ValidationError(
            _(
                "Your company already keeps %(n)d saved lists, the most this storefront allows. "
                "Delete a list you no longer need to create another."
            )
            % {"n": limits.max_lists},
            code="max_lists",
        )


def create_list(
    *,
    storefront,
    company: Company,
    user,
    name: str,
    description: str = "",
    items: Iterable[NewItem] = (),
    limits: Limits,
) -> SavedList:
    """Create a list for ``company`` (optionally with items), or raise a ValidationError.

    Refused, with nothing written: an empty or taken name (``name``), a company at its list
    limit, items beyond the list's item limit.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the list a name.")]})
    with transaction.atomic():
        # Lock the company so that two colleagues creating lists at once cannot pass the limit.
        Company.objects.select_for_update().filter(pk=company.pk).first()
        check_can_create(storefront, company, limits)
        if name_taken(storefront, company, name):
            raise ValidationError({"name": [name_taken_message(name)]})
        try:
            with transaction.atomic():
                saved_list = SavedList.objects.create(
                    storefront=storefront,
                    company=company,
                    name=name,
                    description=(description or "").strip(),
                    created_by=user,
                    updated_by=user,
                )
        except IntegrityError as exc:  # a colleague took the name a moment ago
            raise ValidationError({"name": [name_taken_message(name)]}) from exc
        add_items(saved_list, items, user=user, limits=limits)
    return saved_list


def rename_list(saved_list: SavedList, *, name: str, description: str | None, user) -> None:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the list a name.")]})
    if name_taken(saved_list.storefront, saved_list.company, name, exclude_pk=saved_list.pk):
        raise ValidationError({"name": [name_taken_message(name)]})
    saved_list.name = name
    if description is not None:
        saved_list.description = description.strip()
    saved_list.updated_by = user
    try:
        with transaction.atomic():
            saved_list.save(update_fields=["name", "description", "updated_by", "updated_at"])
    except IntegrityError as exc:
        raise ValidationError({"name": [name_taken_message(name)]}) from exc


@dataclass
class AddItemsResult:
    created: list[SavedListItem] = field(default_factory=list)
    increased: list[SavedListItem] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.created) + len(self.increased)


def add_items(
    saved_list: SavedList, items: Iterable[NewItem], *, user, limits: Limits
) -> AddItemsResult:
    """Put ``items`` into the list: a product already there gets the quantity added to it.

    Refused as a whole (ValidationError, nothing written) when the list would hold more products
    than ``limits.max_items`` or an item more than :data:`MAX_QUANTITY`.
    """
    merged: dict[int, NewItem] = {}
    for item in items:
        if item.product.pk in merged:
            merged[item.product.pk].quantity += item.quantity
        else:
            merged[item.product.pk] = NewItem(
                item.product, item.quantity, item.sku, item.title, item.note
            )
    result = AddItemsResult()
    if not merged:
        return result
    for item in merged.values():
        if item.quantity < 1:
            raise ValidationError({"quantity": [_("The quantity must be at least 1.")]})
    with transaction.atomic():
        # Lock the list so that two colleagues adding at once cannot pass the limit together.
        SavedList.objects.select_for_update().filter(pk=saved_list.pk).first()
        existing = {
            row.product_id: row for row in saved_list.items.filter(product_id__in=list(merged))
        }
        count = saved_list.items.count()
        new_count = sum(1 for pk in merged if pk not in existing)
        if count + new_count > limits.max_items:
            raise ValidationError(
                _(
                    "A saved list holds at most %(max)d products; this one has %(count)d and "
                    "%(new)d more would not fit."
                )
                % {"max": limits.max_items, "count": count, "new": new_count},
                code="max_items",
            )
        next_order = (saved_list.items.aggregate(m=Max("sort_order"))["m"] or 0) + 1
        for pk, item in merged.items():
            row = existing.get(pk)
            if row is not None:
                row.quantity += item.quantity
                if item.note and not row.note:
                    row.note = item.note
                result.increased.append(row)
            else:
                result.created.append(
                    SavedListItem(
                        saved_list=saved_list,
                        product=item.product,
                        sku=item.sku[:128],
                        title=item.title[:255],
                        quantity=item.quantity,
                        note=item.note[:255],
                        sort_order=next_order,
                    )
                )
                next_order += 1
        for row in [*result.increased, *result.created]:
            if row.quantity > MAX_QUANTITY:
                raise ValidationError(
                    {
                        "quantity": [
                            _("At most %(max)d of “%(title)s” fit in one line.")
                            % {"max": MAX_QUANTITY, "title": row.title}
                        ]
                    }
                )
        if result.increased:
            SavedListItem.objects.bulk_update(result.increased, ["quantity", "note"])
        SavedListItem.objects.bulk_create(result.created)
        touch(saved_list, user)
    return result


def touch(saved_list: SavedList, user) -> None:
    """Record that ``user`` changed the list just now (the index shows who and when)."""
    saved_list.updated_by = user if getattr(user, "is_authenticated", False) else None
    saved_list.save(update_fields=["updated_by", "updated_at"])


# -- sources: cart and order --------------------------------------------------------------------


@dataclass
class Collected:
    """Items taken from a cart or an order, and the lines that could not be taken (titles)."""

    items: list[NewItem]
    left_out: list[str]


def items_from_basket(storefront, basket) -> Collected:
    """The cart's lines as list items (still purchasable products only)."""
    lines = list(basket.all_lines()) if basket.pk else []
    live = _live_products(storefront, [line.product_id for line in lines])
    items, left_out = [], []
    for line in lines:
        product = live.get(line.product_id)
        if product is None:
            left_out.append(line.description)
            continue
        sku = line.stockrecord.partner_sku if line.stockrecord_id else ""
        items.append(NewItem(product, line.quantity, sku=sku))
    return Collected(items, left_out)


def items_from_order(storefront, order) -> Collected:
    """The order's lines as list items; lines whose product is gone or no longer sold are left out."""
    lines = list(order.lines.all())
    live = _live_products(storefront, [line.product_id for line in lines if line.product_id])
    items, left_out = [], []
    for line in lines:
        product = live.get(line.product_id)
        if product is None:
            left_out.append(line.title)
            continue
        items.append(NewItem(product, line.quantity, sku=line.partner_sku))
    return Collected(items, left_out)


def _live_products(storefront, ids: Iterable[int | None]) -> dict[int, Product]:
    ids = {pk for pk in ids if pk}
    if not ids:
        return {}
    return {p.pk: p for p in purchasable(storefront).filter(pk__in=ids)}


# -- reading: rows with today's price -----------------------------------------------------------


@dataclass
class ItemRow:
    """A list item as the buyer sees it today: the live product (None when it is no longer sold
    on this storefront) and its price and availability for this buyer."""

    item: SavedListItem
    product: Product | None
    info: PurchaseInfo | None

    @property
    def orderable(self) -> bool:
        return bool(
            self.product is not None
            and self.info.price.exists
            and self.info.availability.is_available_to_buy
        )

    @property
    def title(self) -> str:
        return title_of(self.product) if self.product is not None else self.item.title

    @property
    def shortage(self) -> str:
        """Why the list's quantity cannot be bought today ("Only 3 available…"), or ""."""
        if self.product is None or not self.info.availability.is_available_to_buy:
            return ""
        permitted, message = self.info.availability.is_purchase_permitted(self.item.quantity)
        return "" if permitted else str(message)

    @property
    def url(self) -> str | None:
        return product_url(self.product) if self.product is not None else None

    @property
    def unit_price(self):
        if self.product is None or not self.info.price.exists:
            return None
        return self.info.price

    @property
    def total_excl_tax(self):
        price = self.unit_price
        return price.excl_tax * self.item.quantity if price is not None else None

    @property
    def total_incl_tax(self):
        price = self.unit_price
        if price is None or not price.is_tax_known:
            return None
        return price.incl_tax * self.item.quantity


def item_rows(storefront, strategy, items: Iterable[SavedListItem]) -> list[ItemRow]:
    """Price ``items`` for the strategy's buyer in a fixed number of queries, whatever their count."""
    items = list(items)
    live = _live_products(storefront, [item.product_id for item in items])
    strategy.prime(live.values())  # every item's price in one query
    rows = []
    for item in items:
        product = live.get(item.product_id)
        info = (
            strategy.fetch_for_product(product, quantity=item.quantity)
            if product is not None
            else None
        )
        rows.append(ItemRow(item, product, info))
    return rows


@dataclass
class Totals:
    currency: str | None
    excl_tax: object
    incl_tax: object
    priced_lines: int


def totals(rows: Iterable[ItemRow]) -> Totals | None:
    """Sum of today's prices of the lines that have one (None when none has)."""
    priced = [row for row in rows if row.unit_price is not None]
    if not priced:
        return None
    return Totals(
        currency=priced[0].unit_price.currency,
        excl_tax=sum(row.total_excl_tax for row in priced),
        incl_tax=sum(row.total_incl_tax or 0 for row in priced),
        priced_lines=len(priced),
    )


# -- to the cart --------------------------------------------------------------------------------


@dataclass
class CartOutcome:
    """What "add to cart" did: the items added, and those refused with the reason."""

    added: list[tuple[SavedListItem, int]] = field(default_factory=list)
    refused: list[tuple[ItemRow, str]] = field(default_factory=list)


def add_list_to_basket(storefront, basket, rows: Iterable[ItemRow]) -> CartOutcome:
    """Put the rows' products into ``basket`` with the list's quantities, at today's price.

    Goes through :func:`pipit.ordering.basket.add_to_basket`: a line that cannot be bought as it
    stands (not sold here any more, price hidden, not enough stock) is refused with the reason,
    never added with a smaller quantity. The list itself is not changed.
    """
    outcome = CartOutcome()
    rows = list(rows)
    by_product: dict[int, ItemRow] = {}
    lines = []
    for row in rows:
        if row.product is None:
            outcome.refused.append((row, _("This product is no longer sold on this storefront.")))
            continue
        by_product[row.product.pk] = row
        lines.append((row.product, row.item.quantity))
    result = add_to_basket(basket, lines)
    for product, quantity in result.added:
        outcome.added.append((by_product[product.pk].item, quantity))
    for refused in result.refused:
        outcome.refused.append((by_product[refused.product.pk], refused.reason))
    # Keep the list's order in the report.
    position = {row.item.pk: index for index, row in enumerate(rows)}
    outcome.refused.sort(key=lambda pair: position[pair[0].item.pk])
    return outcome
