"""Celery tasks of the pricing engine. Each names its storefront explicitly."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="pipit.pricing.compile")
def compile_scope(
    storefront_id: int, products: list[int] | None = None, companies: list[int] | None = None
) -> int:
    """Recompile the effective prices of these products for these companies (``None``: all)."""
    from pipit.tenancy.models import Storefront

    from .compiler import Scope, compile_prices

    storefront = Storefront.objects.filter(pk=storefront_id).first()
    if storefront is None:
        return 0
    return compile_prices(storefront, Scope.of(products, companies)).rows


@shared_task(name="pipit.pricing.compile_source")
def compile_source(kind: str, object_id: int, storefront_id: int) -> int:
    """A rule or list was published, unpublished or deleted: recompile what it reached before
    and what it reaches now, then remember the new footprint."""
    from pipit.tenancy.models import Storefront

    from .compiler import (
        EMPTY,
        compile_prices,
        footprint_of,
        purchasable_ids,
        remember_footprint,
    )
    from .models import PriceList, PriceRule, PricingFootprint

    storefront = Storefront.objects.filter(pk=storefront_id).first()
    if storefront is None:
        return 0
    model = PriceRule if kind == "rule" else PriceList
    obj = model.objects.filter(pk=object_id, storefront=storefront).first()
    stored = PricingFootprint.objects.filter(kind=kind, object_id=object_id).first()
    from .compiler import Scope

    old = Scope.from_json(stored.scope) if stored else EMPTY
    # The storefront's products, read once for the footprint and the compile.
    universe = purchasable_ids(storefront)
    new = footprint_of(obj, universe) if obj is not None and obj.live else EMPTY
    result = compile_prices(storefront, old | new, universe=universe)
    if obj is None:
        PricingFootprint.objects.filter(kind=kind, object_id=object_id).delete()
    else:
        remember_footprint(obj, new)
    if kind == "list" and (obj is not None or stored is not None):
        from pipit.plugins.dispatch import emit_event

        emit_event(
            "price_list_published",
            {
                "price_list_id": object_id,
                "storefront_id": storefront_id,
                "name": obj.name if obj is not None else "",
                "kind": obj.kind if obj is not None else "",
                "live": bool(obj is not None and obj.live),
                "rows_recompiled": result.rows,
            },
            storefront_id=storefront_id,
        )
    return result.rows


@shared_task(name="pipit.pricing.roll_over")
def roll_over(storefront_id: int) -> int:
    """Recompile what starts or stops being valid since the prices were last compiled."""
    from pipit.tenancy.models import Storefront

    from .rollover import roll_over_storefront

    storefront = Storefront.objects.filter(pk=storefront_id).first()
    return roll_over_storefront(storefront) if storefront is not None else 0


@shared_task(name="pipit.pricing.roll_over_all")
def roll_over_all() -> int:
    """Celery beat, hourly: every storefront's day change (and scheduled publications)."""
    from django.core.management import call_command

    from pipit.tenancy.models import Storefront

    # Scheduled publications of rules and lists (and pages, banners) go live here too.
    call_command("publish_scheduled")
    return sum(roll_over(pk) for pk in Storefront.objects.values_list("pk", flat=True))


@shared_task(name="pipit.pricing.run_import")
def run_price_import(import_id: int, storefront_id: int, language: str | None = None) -> str:
    """Check a large contract price file (and apply it, in apply mode), keeping its progress
    current. Reasons are written in ``language``, the uploader's."""
    from django.utils import translation

    from .imports import run
    from .models import PriceImport

    price_import = (
        PriceImport.objects.for_storefront(storefront_id)
        .select_related("storefront")
        .filter(pk=import_id)
        .first()
    )
    if price_import is None:
        return "gone"
    with translation.override(language):
        return run(price_import).status
