"""How a storefront prices and stocks a product for the person looking at it.

Oscar asks ``partner.strategy.Selector`` for a strategy per request; Pipit's strategy knows the
storefront (catalog scope, warehouses, currency, VAT) and the buyer's company. Prices come from
the compiled effective-price table through :class:`~pipit.pricing.resolver.PriceResolver`: the
buyer's contract, group and storefront lists with the published rules applied, per quantity tier.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from oscar.apps.partner import availability, prices
from oscar.apps.partner.strategy import PurchaseInfo, Structured

from pipit.companies.access import buyer_company
from pipit.plugins.dispatch import run_value_hook
from pipit.tenancy.context import current_storefront

from .engine import Tier, tier_for
from .resolver import PriceResolver, uncompiled_tiers


class HiddenPrice(prices.Unavailable):
    """Prices exist but this visitor may not see them (anonymous on a closed storefront)."""

    hidden = True


class TierPrice(prices.TaxInclusiveFixedPrice):
    """The buyer's price at a quantity, with the whole tier table and how it was reached.

    ``tiers`` lists every break as ``(min_quantity, excl_tax, incl_tax)``; ``tier`` is the
    engine's :class:`~pipit.pricing.engine.Tier` the quantity falls in (its ``steps`` explain it);
    ``base_excl_tax`` is the partner's base price, shown struck through where the buyer pays less.
    """

    def __init__(self, currency, tier: Tier, tiers: list[Tier], vat_rate: Decimal, quantity=1):
        tax = (tier.price * vat_rate).quantize(Decimal("0.01"))
        super().__init__(currency=currency, excl_tax=tier.price, tax=tax)
        self.tier = tier
        self.quantity = quantity
        self.vat_rate = vat_rate
        self.tier_table = tiers
        self.base_excl_tax = tier.base_price

    @property
    def tiers(self) -> list[tuple[int, Decimal, Decimal]]:
        rate = self.vat_rate
        return [
            (t.min_quantity, t.price, t.price + (t.price * rate).quantize(Decimal("0.01")))
            for t in self.tier_table
        ]

    @property
    def has_tiers(self) -> bool:
        return len(self.tier_table) > 1

    @property
    def base_incl_tax(self) -> Decimal:
        return self.base_excl_tax + (self.base_excl_tax * self.vat_rate).quantize(Decimal("0.01"))

    @property
    def is_discounted(self) -> bool:
        return self.excl_tax < self.base_excl_tax


@dataclass(frozen=True)
class WarehouseLevel:
    warehouse_id: int
    name: str
    city: str
    available: int
    restock_date: datetime.date | None


class WarehouseAvailability(availability.Base):
    """Availability summed over the storefront's warehouses, with the per-warehouse breakdown."""

    def __init__(self, levels: list[WarehouseLevel]):
        self.levels = levels
        self.num_available = sum(level.available for level in levels)
        dates = [lv.restock_date for lv in levels if lv.restock_date and not lv.available]
        self.restock_date = min(dates) if dates else None

    @property
    def code(self):
        return "instock" if self.num_available > 0 else "outofstock"

    @property
    def message(self):
        if self.num_available > 0:
            return ngettext("%(n)d in stock", "%(n)d in stock", self.num_available) % {
                "n": self.num_available
            }
        if self.restock_date:
            return _("Out of stock, expected %(date)s") % {
                "date": formats.date_format(self.restock_date, "SHORT_DATE_FORMAT")
            }
        return _("Out of stock")

    @property
    def is_available_to_buy(self):
        return self.num_available > 0

    def is_purchase_permitted(self, quantity):
        if quantity > self.num_available:
            if self.num_available <= 0:
                return False, _("This item is out of stock")
            return False, _("Only %(n)d available in the warehouses of this storefront") % {
                "n": self.num_available
            }
        return True, ""


class StorefrontStrategy(Structured):
    """Base prices from the storefront's partners, stock from the storefront's warehouses.

    Reads ``product.stockrecords.all()`` and ``stockrecord.warehouse_stocks.all()`` (or the lists
    :func:`~pipit.catalog.queries.attach_offers` sets), so lists that prefetch them (see
    :func:`pipit.catalog.queries.with_purchase_info`) price a page in a fixed number of queries.
    """

    def __init__(self, request=None, storefront=None, user=None):
        super().__init__(request)
        self.storefront = storefront or getattr(request, "storefront", None) or current_storefront()
        self.user = user if user is not None else getattr(request, "user", None)
        self.company = buyer_company(self.user, self.storefront)
        self.prices = PriceResolver(self.storefront, self.company)

    # -- seams -------------------------------------------------------------------------------
    @property
    def prices_visible(self) -> bool:
        if self.storefront is None:
            return True
        if self.user is not None and self.user.is_authenticated:
            return True
        return self.storefront.show_prices_to_anonymous

    def prime(self, products) -> None:
        """Load the prices of these products (and their prefetched variants) in one query.

        Lists call this before pricing a page; anything not primed is loaded on its own.
        """
        if not self.prices_visible:
            return  # nothing will be priced for this visitor
        ids = []
        for product in products:
            ids.append(product.pk)
            cache = getattr(product, "_prefetched_objects_cache", {})
            children = getattr(product, "_prefetched_public_children", None)
            if children is None and "children" in cache:
                children = cache["children"]
            if children:
                ids.extend(child.pk for child in children)
        self.prices.prime(ids)

    def tier_table(self, product, stockrecord) -> list[Tier]:
        """The buyer's tier table for the product (empty: no price)."""
        tiers = self.prices.tiers(product.pk)
        if tiers is None:
            return uncompiled_tiers(stockrecord.price)
        return tiers

    def vat_rate(self, product, stockrecord) -> Decimal:
        return self.storefront.vat_rate / 100 if self.storefront else Decimal("0")

    # -- Oscar's Structured strategy ---------------------------------------------------------
    def select_stockrecord(self, product):
        partner_ids = self.storefront.partner_ids if self.storefront else None
        records = getattr(product, "_storefront_records", None)  # catalog.queries.attach_offers
        if records is None:
            records = product.stockrecords.all()
        for record in records:
            if partner_ids is None or record.partner_id in partner_ids:
                return record
        return None

    def fetch_for_product(self, product, stockrecord=None, quantity: int = 1):
        """Oscar's, with the quantity the price is for (tier prices)."""
        if stockrecord is None:
            stockrecord = self.select_stockrecord(product)
        return PurchaseInfo(
            price=self.pricing_policy(product, stockrecord, quantity),
            availability=self.availability_policy(product, stockrecord),
            stockrecord=stockrecord,
        )

    def pricing_policy(self, product, stockrecord, quantity: int = 1):
        if not stockrecord or stockrecord.price is None:
            return prices.Unavailable()
        if not self.prices_visible:
            return HiddenPrice()
        tiers = self.tier_table(product, stockrecord)
        tier = tier_for(tiers, max(int(quantity or 1), 1))
        if tier is None:
            return prices.Unavailable()
        return TierPrice(
            stockrecord.price_currency,
            tier,
            tiers,
            self.vat_rate(product, stockrecord),
            quantity=quantity,
        )

    def parent_pricing_policy(self, product, children_stock):
        offers = [self.pricing_policy(child, record) for child, record in children_stock if record]
        offers = [p for p in offers if p.exists]
        if not offers:
            if not self.prices_visible and children_stock:
                return HiddenPrice()
            return prices.Unavailable()
        # A parent shows its lowest variant price ("from ...").
        return min(offers, key=lambda p: p.excl_tax)

    def availability_policy(self, product, stockrecord):
        if not stockrecord:
            computed = availability.Unavailable()
        else:
            computed = WarehouseAvailability(self.warehouse_levels(stockrecord))
        return self.plugin_availability(computed, product, stockrecord)

    def parent_availability_policy(self, product, children_stock):
        levels = [
            level
            for _child, record in children_stock
            if record
            for level in self.warehouse_levels(record)
        ]
        if not children_stock:
            computed = availability.Unavailable()
        else:
            computed = WarehouseAvailability(levels)
        return self.plugin_availability(computed, product, None)

    def plugin_availability(self, computed, product, stockrecord):
        """``computed`` passed through the storefront's ``product_availability`` plugins.

        The storefront's plugin activations are read once and kept on the storefront object (one
        per request), so this adds no query per product, and none at all when no plugin is
        installed.
        """
        return run_value_hook(
            "product_availability",
            computed,
            storefront=self.storefront,
            product=product,
            stockrecord=stockrecord,
            user=self.user,
            company=self.company,
        )

    def fetch_for_line(self, line, stockrecord=None):
        # Oscar's default re-selects a stock record for every line (a query each) although the
        # line carries one; and the stock of all lines of the basket is loaded in one query.
        stockrecord = stockrecord or line.stockrecord
        partner_ids = self.storefront.partner_ids if self.storefront else None
        if stockrecord is None or (
            partner_ids is not None and stockrecord.partner_id not in partner_ids
        ):
            return self.fetch_for_product(line.product, quantity=line.quantity)
        self._load_basket_stock(line.basket_id)
        return self.fetch_for_product(line.product, stockrecord=stockrecord, quantity=line.quantity)

    def _load_basket_stock(self, basket_id: int) -> None:
        loaded = self.__dict__.setdefault("_basket_stock_loaded", set())
        if basket_id in loaded:
            return
        from pipit.inventory.models import WarehouseStock

        rows = WarehouseStock.objects.filter(
            stockrecord__basket_lines__basket_id=basket_id
        ).select_related("warehouse")
        if self.storefront is not None:
            rows = rows.filter(warehouse_id__in=self.storefront.warehouse_ids)
        by_record = self.__dict__.setdefault("_stock_by_record", {})
        for row in rows.distinct():
            by_record.setdefault(row.stockrecord_id, []).append(row)
        lines = type(self)._basket_lines(basket_id)
        for record_id, _product_id in lines:
            by_record.setdefault(record_id, [])
        self.prices.prime(product_id for _record_id, product_id in lines)
        loaded.add(basket_id)

    @staticmethod
    def _basket_lines(basket_id: int) -> list[tuple[int, int]]:
        from oscar.apps.basket.models import Line

        return list(
            Line.objects.filter(basket_id=basket_id).values_list("stockrecord_id", "product_id")
        )

    def _stock_rows(self, stockrecord):
        rows = getattr(stockrecord, "_storefront_stocks", None)  # catalog.queries.attach_offers
        if rows is not None:
            return rows
        if "warehouse_stocks" in getattr(stockrecord, "_prefetched_objects_cache", {}):
            return stockrecord.warehouse_stocks.all()
        known = self.__dict__.get("_stock_by_record", {})
        if stockrecord.pk in known:
            return known[stockrecord.pk]
        return stockrecord.warehouse_stocks.select_related("warehouse")

    def warehouse_levels(self, stockrecord) -> list[WarehouseLevel]:
        allowed = self.storefront.warehouse_ids if self.storefront else None
        levels = [
            WarehouseLevel(
                warehouse_id=row.warehouse_id,
                name=row.warehouse.name,
                city=row.warehouse.city,
                available=row.available,
                restock_date=row.restock_date,
            )
            for row in self._stock_rows(stockrecord)
            if allowed is None or row.warehouse_id in allowed
        ]
        order = {wid: i for i, wid in enumerate(allowed or [])}
        return sorted(levels, key=lambda lv: order.get(lv.warehouse_id, 0))


class Selector:
    """Oscar's entry point: one strategy per request (or per user/storefront offline)."""

    def strategy(self, request=None, user=None, storefront=None, **kwargs):
        return StorefrontStrategy(request=request, storefront=storefront, user=user)
