"""Demo order promotions for a storefront (called by the demo loader; idempotent)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext
from oscar.templatetags.currency_filters import currency

from pipit.catalog.queries import categories_for_storefront
from pipit.pricing.models import CustomerGroup

from . import services
from .models import OrderPromotion, OrderPromotionCategory

THRESHOLD = Decimal("1500000")
PERCENT = Decimal("5")


def load_demo(storefront, groups: dict[str, CustomerGroup]) -> None:
    """Publish the storefront's demo promotions unless they exist already.

    - "5% off an order over 1,500,000 ₽ for regular customers" (the customer group with code
      "regular"; skipped when ``groups`` has none);
    - a multi-buy: of every 3 items of the storefront's first top-level category, the cheapest
      is free (skipped when the storefront has no category under its root yet).

    A promotion is recognised by its terms, not its name (names follow the storefront's language),
    so running the loader again changes nothing.
    """
    with translation.override(storefront.language):
        regular = groups.get("regular")
        if regular is not None:
            _threshold_promotion(storefront, regular)
        _multibuy_promotion(storefront)


def _threshold_promotion(storefront, regular: CustomerGroup) -> None:
    existing = OrderPromotion.objects.filter(
        storefront=storefront,
        kind=OrderPromotion.Kind.PERCENT_OFF,
        threshold=THRESHOLD,
        value=PERCENT,
    )
    if existing.exists():
        return
    amount = currency(THRESHOLD, storefront.currency)
    promotion = OrderPromotion(
        storefront=storefront,
        name=gettext("5%% off an order over %(amount)s for regular customers") % {"amount": amount},
        description=gettext(
            "For regular customers: 5%% off the whole order once the cart reaches %(amount)s "
            "including VAT."
        )
        % {"amount": amount},
        kind=OrderPromotion.Kind.PERCENT_OFF,
        threshold=THRESHOLD,
        value=PERCENT,
        customer_scope=OrderPromotion.CustomerScope.GROUPS,
        priority=10,
    )
    promotion.groups = [regular]
    services.publish(promotion)


def _multibuy_promotion(storefront) -> None:
    if OrderPromotion.objects.filter(
        storefront=storefront, kind=OrderPromotion.Kind.BUY_N_GET_M
    ).exists():
        return
    roots = categories_for_storefront(storefront).order_by("depth", "path")
    root = roots.first()
    category = roots.filter(depth=root.depth + 1).first() if root else None
    if category is None:
        return
    promotion = OrderPromotion(
        storefront=storefront,
        name=gettext("3 for 2: %(category)s") % {"category": category.name},
        description=gettext(
            "Of every 3 items from %(category)s in the cart, the cheapest one is free."
        )
        % {"category": category.name},
        kind=OrderPromotion.Kind.BUY_N_GET_M,
        buy_quantity=3,
        free_quantity=1,
        priority=20,
    )
    promotion.scope_categories = [OrderPromotionCategory(category=category)]
    services.publish(promotion)
