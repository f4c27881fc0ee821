"""How a storefront prices and stocks a product for the person looking at it.

Oscar asks ``partner.strategy.Selector`` for a strategy per request; Pipit's strategy knows the
storefront (catalog scope, warehouses, currency, VAT) and the buyer's company. The pricing issue
plugs contract prices in at :meth:`StorefrontStrategy.base_price`; until then the partner's base
price from the stock record is used.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from oscar.apps.partner import availability, prices
from oscar.apps.partner.strategy import Structured

from pipit.companies.access import buyer_company
from pipit.plugins.dispatch import run_value_hook
from pipit.tenancy.context import current_storefront


class HiddenPrice(prices.Unavailable):
    """Prices exist but this visitor may not see them (anonymous on a closed storefront)."""

    hidden = True


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

    Reads ``product.stockrecords.all()`` and ``stockrecord.warehouse_stocks.all()``, so lists that
    prefetch them (see :func:`pipit.catalog.queries.with_purchase_info`) price a page in a fixed
    number of queries.
    """

    def __init__(self, request=None, storefront=None, user=None):
        super().__init__(request)
        self.storefront = storefront or getattr(request, "storefront", None) or current_storefront()
        self.user = user if user is not None else getattr(request, "user", None)
        self.company = buyer_company(self.user, self.storefront)

    # -- seams -------------------------------------------------------------------------------
    @property
    def prices_visible(self) -> bool:
        if self.storefront is None:
            return True
        if self.user is not None and self.user.is_authenticated:
            return True
        return self.storefront.show_prices_to_anonymous

    def base_price(self, product, stockrecord) -> Decimal | None:
        """The price before tax for this buyer. Contract prices hook in here."""
        return stockrecord.price

    def vat_rate(self, product, stockrecord) -> Decimal:
        return self.storefront.vat_rate / 100 if self.storefront else Decimal("0")

    # -- Oscar's Structured strategy ---------------------------------------------------------
    def select_stockrecord(self, product):
        partner_ids = self.storefront.partner_ids if self.storefront else None
        for record in product.stockrecords.all():
            if partner_ids is None or record.partner_id in partner_ids:
                return record
        return None

    def pricing_policy(self, product, stockrecord):
        if not stockrecord or stockrecord.price is None:
            return prices.Unavailable()
        if not self.prices_visible:
            return HiddenPrice()
        excl = self.base_price(product, stockrecord)
        if excl is None:
            return prices.Unavailable()
        tax = (excl * self.vat_rate(product, stockrecord)).quantize(Decimal("0.01"))
        return prices.TaxInclusiveFixedPrice(
            currency=stockrecord.price_currency, excl_tax=excl, tax=tax
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
            return self.fetch_for_product(line.product)
        self._load_basket_stock(line.basket_id)
        return self.fetch_for_product(line.product, stockrecord=stockrecord)

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
        for record_id in type(self)._basket_record_ids(basket_id):
            by_record.setdefault(record_id, [])
        loaded.add(basket_id)

    @staticmethod
    def _basket_record_ids(basket_id: int) -> list[int]:
        from oscar.apps.basket.models import Line

        return list(
            Line.objects.filter(basket_id=basket_id).values_list("stockrecord_id", flat=True)
        )

    def _stock_rows(self, stockrecord):
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
