"""Keep the effective prices in step with their sources, after the transaction commits.

- a rule or list published, unpublished or deleted: its old and new footprint
  (:func:`pipit.pricing.tasks.compile_source`);
- rows of a published list added, changed or deleted one by one: those products (and companies);
  bulk imports schedule their own scope;
- a company joins or leaves a customer group: that company's prices;
- an offer's base price or cost, a product's categories or attributes: those products.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save, pre_delete
from django.dispatch import receiver
from oscar.apps.catalogue.models import ProductAttributeValue, ProductCategory
from wagtail.signals import published, unpublished

from pipit.oscar_apps.partner.models import StockRecord

from .compiler import Scope
from .models import CustomerGroup, PriceList, PriceListItem, PriceRule, PricingState
from .resolver import forget_company_segments


def schedule(storefront_id: int, scope: Scope) -> None:
    """Recompile ``scope`` for the storefront once the current transaction commits.

    Scopes scheduled in one transaction are merged and sent as one task per storefront.
    """
    if scope.is_empty:
        return
    connection = transaction.get_connection()
    pending: dict[int, Scope] = connection.__dict__.setdefault(PENDING, {})
    flushed = not pending
    pending[storefront_id] = pending[storefront_id] | scope if storefront_id in pending else scope
    # Registered once per transaction. A rolled-back transaction drops its callbacks but not the
    # scopes it gathered: those go with the next commit (an extra recompile, never a missed one).
    if flushed or not any(entry[1] is _flush_pending for entry in connection.run_on_commit):
        transaction.on_commit(_flush_pending)


PENDING = "_pipit_pricing_pending"


def _flush_pending() -> None:
    from .tasks import compile_scope

    pending = transaction.get_connection().__dict__.get(PENDING, {})
    batch = dict(pending)
    pending.clear()
    for sf_id, merged in batch.items():
        data = merged.as_json()
        compile_scope.delay(sf_id, data["products"], data["companies"])


def _is_compiled(storefront_id: int) -> bool:
    # Nothing was ever compiled for the storefront (no list or rule published): base prices are
    # read from the offers directly and there is nothing to keep in step.
    return PricingState.objects.filter(storefront_id=storefront_id).exists()


def _source_changed(sender, instance, **kwargs):
    kind = "rule" if isinstance(instance, PriceRule) else "list"
    storefront_id = instance.storefront_id

    def enqueue() -> None:
        from .tasks import compile_source

        compile_source.delay(kind, instance.pk, storefront_id)

    transaction.on_commit(enqueue)


for _model in (PriceRule, PriceList):
    published.connect(_source_changed, sender=_model, dispatch_uid=f"pricing-published-{_model}")
    unpublished.connect(_source_changed, sender=_model, dispatch_uid=f"pricing-unpub-{_model}")


@receiver(pre_delete, sender=PriceRule, dispatch_uid="pricing-rule-deleted")
@receiver(pre_delete, sender=PriceList, dispatch_uid="pricing-list-deleted")
def _source_deleted(sender, instance, **kwargs):
    # The task finds the object gone and recompiles its last footprint (none for a draft).
    _source_changed(sender, instance)


# -- list rows -----------------------------------------------------------------------------------


def _row_changed(sender, instance: PriceListItem, raw=False, **kwargs):
    if raw:
        return
    price_list = instance.price_list
    if not price_list.live:
        return  # a draft list's rows count from its publication on
    companies = (
        [instance.company_id]
        if price_list.kind == PriceList.Kind.COMPANY and instance.company_id
        else None
    )
    schedule(price_list.storefront_id, Scope.of([instance.product_id], companies))


post_save.connect(_row_changed, sender=PriceListItem, dispatch_uid="pricing-row-saved")
post_delete.connect(_row_changed, sender=PriceListItem, dispatch_uid="pricing-row-deleted")


# -- customer groups -----------------------------------------------------------------------------


@receiver(m2m_changed, sender=CustomerGroup.companies.through, dispatch_uid="pricing-members")
def _members_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear", "post_clear"):
        return
    if reverse:  # company.customer_groups.add(group)
        companies = {instance.pk}
        groups = CustomerGroup.objects.filter(pk__in=pk_set or [])
        storefront_ids = set(groups.values_list("storefront_id", flat=True)) or {
            instance.storefront_id
        }
    else:
        if action == "pre_clear":
            instance._pricing_cleared = set(instance.companies.values_list("pk", flat=True))
            return
        companies = set(pk_set or []) or getattr(instance, "_pricing_cleared", set())
        storefront_ids = {instance.storefront_id}
    forget_company_segments(companies)
    transaction.on_commit(lambda: forget_company_segments(companies))
    for storefront_id in storefront_ids:
        if _is_compiled(storefront_id):
            schedule(storefront_id, Scope(None, frozenset(companies)))


@receiver(pre_delete, sender=CustomerGroup, dispatch_uid="pricing-group-deleted")
def _group_deleted(sender, instance, **kwargs):
    companies = set(instance.companies.values_list("pk", flat=True))
    forget_company_segments(companies)
    transaction.on_commit(lambda: forget_company_segments(companies))
    if _is_compiled(instance.storefront_id):
        schedule(instance.storefront_id, Scope())


# -- the catalog ---------------------------------------------------------------------------------

_PRICE_FIELDS = ("price", "cost_price", "partner_id", "product_id")
_UNKNOWN = object()


def _offer_state(record: StockRecord) -> tuple:
    return tuple(record.__dict__.get(name, _UNKNOWN) for name in _PRICE_FIELDS)


@receiver(post_init, sender=StockRecord, dispatch_uid="pricing-offer-loaded")
def _offer_loaded(sender, instance, **kwargs):
    instance._pricing_state = _offer_state(instance)


def _storefronts_of_partner(partner_id: int) -> list[int]:
    from pipit.tenancy.models import Storefront

    return list(
        Storefront.objects.filter(warehouses__partner_id=partner_id, pricing_state__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
    )


@receiver(post_save, sender=StockRecord, dispatch_uid="pricing-offer-saved")
@receiver(post_delete, sender=StockRecord, dispatch_uid="pricing-offer-deleted")
def _offer_changed(sender, instance, raw=False, created=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_pricing_state", None)
    after = _offer_state(instance)
    instance._pricing_state = after
    if kwargs.get("signal") is post_save and not created and before == after:
        return  # stock levels and the like: prices are unchanged
    for storefront_id in _storefronts_of_partner(instance.partner_id):
        schedule(storefront_id, Scope.of([instance.product_id]))


def _catalog_changed(sender, instance, raw=False, **kwargs):
    """Categories and attributes decide which rules reach a product."""
    if raw:
        return
    from pipit.tenancy.models import Storefront

    if not PriceRule.objects.filter(live=True).exclude(product_scope="all").exists():
        return
    for storefront_id in Storefront.objects.filter(pricing_state__isnull=False).values_list(
        "pk", flat=True
    ):
        schedule(storefront_id, Scope.of([instance.product_id]))


for _model in (ProductCategory, ProductAttributeValue):
    post_save.connect(_catalog_changed, sender=_model, dispatch_uid=f"pricing-catalog-{_model}")
    post_delete.connect(_catalog_changed, sender=_model, dispatch_uid=f"pricing-catdel-{_model}")


# -- cart lines ----------------------------------------------------------------------------------


def _basket_line_saving(sender, instance, raw=False, **kwargs):
    """A quantity change may move a cart line into another tier: keep its stored price in step.

    Oscar stores the unit price when a product is first added and warns when the current price
    differs ("the price has decreased since you added it"). A tier reached by buying more is not
    a price change; a new list or rule price still is, and still warns.
    """
    if raw:
        return
    instance.__dict__.pop("_info", None)  # Oscar caches the line's price at its old quantity
    strategy = getattr(instance.basket, "strategy", None)
    if strategy is None or not hasattr(strategy, "tier_table") or instance.stockrecord is None:
        return
    if instance.stockrecord.price is None:
        return
    tiers = strategy.tier_table(instance.product, instance.stockrecord)
    info = strategy.fetch_for_product(
        instance.product, stockrecord=instance.stockrecord, quantity=instance.quantity
    )
    price = info.price
    if not getattr(price, "exists", False) or not price.is_tax_known:
        return
    if instance.price_excl_tax in {t.price for t in tiers}:
        instance.price_excl_tax = price.excl_tax
        instance.price_incl_tax = price.incl_tax


def _connect_basket_lines() -> None:
    from django.db.models.signals import pre_save
    from oscar.core.loading import get_model

    pre_save.connect(
        _basket_line_saving, sender=get_model("basket", "Line"), dispatch_uid="pricing-cart-line"
    )


_connect_basket_lines()
