"""Publishing promotions as Oscar offers, and what the cart says about them.

- :func:`sync_offer` (on publish) creates or updates the promotion's Oscar site offer, its
  condition, benefit and range, and records the published terms; :func:`suspend_offer`
  (unpublish, expiry) suspends it; :func:`remove_offer` (delete) removes the Oscar rows.
- :func:`cart_promotions` is what the cart page and the API show: the promotions applied, with
  their discounts, and the next threshold the buyer has not reached yet.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from oscar.apps.offer.models import Benefit, Condition, ConditionalOffer, Range
from oscar.templatetags.currency_filters import currency

from .benefits import BENEFIT_CLASSES
from .conditions import PromotionCondition
from .models import OrderPromotion, PromotionOffer
from .terms import Terms, applies_now, forget_terms, goods_total, terms_for_basket

OSCAR_NAME_LENGTH = 128


def _dotted(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _oscar_name(promotion: OrderPromotion) -> str:
    # Oscar's offer and range names are unique installation-wide; buyers never see this one (the
    # cart and the order show the promotion's own name).
    suffix = f" ({promotion.storefront.code} #{promotion.pk})"
    return promotion.name[: OSCAR_NAME_LENGTH - len(suffix)] + suffix


def _day_start(day: datetime.date | None) -> datetime.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _day_end(day: datetime.date | None) -> datetime.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))


def compile_terms(promotion: OrderPromotion, offer_id: int, range_id: int | None) -> Terms:
    return Terms(
        promotion_id=promotion.pk,
        offer_id=offer_id,
        storefront_id=promotion.storefront_id,
        name=promotion.name,
        description=promotion.description,
        kind=promotion.kind,
        threshold=promotion.threshold if promotion.is_threshold else None,
        value=promotion.value,
        buy_quantity=promotion.buy_quantity if promotion.is_multibuy else None,
        free_quantity=promotion.free_quantity
        if promotion.kind == OrderPromotion.Kind.BUY_N_GET_M
        else None,
        customer_scope=promotion.customer_scope,
        group_ids=frozenset(g.pk for g in promotion.groups.all())
        if promotion.customer_scope == OrderPromotion.CustomerScope.GROUPS
        else frozenset(),
        company_ids=frozenset(c.pk for c in promotion.companies.all())
        if promotion.customer_scope == OrderPromotion.CustomerScope.COMPANIES
        else frozenset(),
        valid_from=promotion.valid_from,
        valid_to=promotion.valid_to,
        priority=promotion.priority,
        exclusive=promotion.exclusive,
        range_id=range_id,
        currency=promotion.storefront.currency,
    )


def _sync_range(promotion: OrderPromotion, product_range: Range | None) -> Range:
    if product_range is None:
        product_range = Range(name=_oscar_name(promotion))
    product_range.name = _oscar_name(promotion)
    product_range.description = promotion.description
    product_range.includes_all_products = promotion.is_threshold
    product_range.save()
    if promotion.is_threshold:
        product_range.included_products.clear()
        product_range.included_categories.clear()
    else:
        product_range.included_products.set(
            [row.product_id for row in promotion.scope_products.all()]
        )
        product_range.included_categories.set(
            [row.category_id for row in promotion.scope_categories.all()]
        )
    product_range.invalidate_cached_queryset()
    return product_range


@transaction.atomic
def sync_offer(promotion: OrderPromotion) -> ConditionalOffer:
    """Create or update the Oscar site offer of a published promotion and open it."""
    link = (
        PromotionOffer.objects.select_related(
            "offer__condition__range", "offer__benefit", "promotion__storefront"
        )
        .filter(promotion=promotion)
        .first()
    )
    offer = link.offer if link else None
    product_range = _sync_range(promotion, offer.condition.range if offer else None)

    condition = offer.condition if offer else Condition()
    condition.range = product_range
    condition.type = ""
    condition.proxy_class = _dotted(PromotionCondition)
    condition.value = promotion.threshold if promotion.is_threshold else promotion.buy_quantity
    condition.save()

    benefit = offer.benefit if offer else Benefit()
    benefit.range = product_range
    benefit.type = ""
    benefit.proxy_class = _dotted(BENEFIT_CLASSES[promotion.kind])
    benefit.value = promotion.discount_percent if promotion.is_multibuy else promotion.value
    benefit.max_affected_items = None
    benefit.save()

    if offer is None:
        offer = ConditionalOffer(condition=condition, benefit=benefit)
    offer.name = _oscar_name(promotion)
    offer.description = promotion.description
    offer.offer_type = ConditionalOffer.SITE
    offer.exclusive = promotion.exclusive
    offer.priority = promotion.priority
    offer.start_datetime = _day_start(promotion.valid_from)
    offer.end_datetime = _day_end(promotion.valid_to)
    # A threshold discounts the whole cart once; a multi-buy counts all its sets in one go.
    offer.max_basket_applications = 1
    offer.status = ConditionalOffer.OPEN
    offer.save()

    terms = compile_terms(promotion, offer.pk, product_range.pk)
    PromotionOffer.objects.update_or_create(
        promotion=promotion,
        defaults={
            "offer": offer,
            "storefront_id": promotion.storefront_id,
            "terms": terms.as_json(),
            "active": True,
        },
    )
    forget_terms(promotion.storefront_id)
    return offer


@transaction.atomic
def suspend_offer(promotion: OrderPromotion) -> None:
    """The promotion was unpublished (or expired): its offer stops applying at once."""
    link = PromotionOffer.objects.select_related("offer").filter(promotion=promotion).first()
    if link is None:
        return
    if not link.offer.is_suspended:
        link.offer.suspend()
    if link.active:
        link.active = False
        link.save(update_fields=["active"])
    forget_terms(link.storefront_id)


@transaction.atomic
def remove_offer(promotion: OrderPromotion) -> None:
    """The promotion is being deleted: remove its Oscar offer, condition, benefit and range.

    Orders keep their discount rows (with the promotion's name): Oscar stores the offer's id on
    them without a foreign key.
    """
    link = (
        PromotionOffer.objects.select_related("offer__condition", "offer__benefit")
        .filter(promotion=promotion)
        .first()
    )
    if link is None:
        return
    offer = link.offer
    condition, benefit = offer.condition, offer.benefit
    range_ids = {condition.range_id, benefit.range_id} - {None}
    storefront_id = link.storefront_id
    offer.delete()  # and the link with it
    condition.delete()
    benefit.delete()
    Range.objects.filter(pk__in=range_ids).delete()
    forget_terms(storefront_id)


def publish(promotion: OrderPromotion, user=None) -> OrderPromotion:
    """Validate, save and publish a promotion, as the admin's "Publish" does (demo loader,
    scripts, tests); publishing creates or updates its offer."""
    promotion.full_clean()
    with transaction.atomic():
        if promotion.pk is None:
            promotion.live = False
        promotion.save()
        promotion.save_revision(user=user).publish(user=user)
    return promotion


def promotion_name_for_offer(offer_id: int) -> str | None:
    """The buyer-facing name of the promotion an Oscar offer runs (``None``: not a promotion)."""
    return (
        PromotionOffer.objects.filter(offer_id=offer_id)
        .values_list("promotion__name", flat=True)
        .first()
    )


# -- the cart --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppliedPromotion:
    name: str
    description: str
    discount: Decimal
    currency: str


@dataclass(frozen=True)
class ThresholdHint:
    """The next threshold promotion the buyer does not reach yet."""

    name: str
    missing_amount: Decimal
    currency: str
    message: str


@dataclass(frozen=True)
class CartPromotions:
    applied: list[AppliedPromotion]
    next_threshold: ThresholdHint | None

    @property
    def total_discount(self) -> Decimal:
        return sum((p.discount for p in self.applied), Decimal("0.00"))


def _offer_label(terms: Terms) -> str:
    if terms.kind == OrderPromotion.Kind.PERCENT_OFF:
        value = terms.value.normalize() if terms.value is not None else ""
        return gettext("%(percent)s%% off the order") % {"percent": f"{value:f}"}
    return gettext("%(amount)s off the order") % {"amount": currency(terms.value, terms.currency)}


def missing_message(terms: Terms, missing: Decimal) -> str:
    """ "Add 230,000.00 ₽ more to get 5% off the order" (formatted in the active language)."""
    return gettext("Add %(amount)s more to get %(offer)s") % {
        "amount": currency(missing, terms.currency),
        "offer": _offer_label(terms),
    }


def cart_promotions(basket) -> CartPromotions:
    """The promotions applied to the basket (offers applied already) and the next threshold.

    Reads the cached terms of the basket's storefront: no query on a warm cache.
    """
    applied = []
    currency_code = basket.currency or ""
    known = terms_for_basket(basket)
    for application in basket.offer_applications.offer_discounts:
        offer = application["offer"]
        terms = known.get(offer.pk)
        applied.append(
            AppliedPromotion(
                name=terms.name if terms else str(offer.name),
                description=terms.description if terms else "",
                discount=application["discount"],
                currency=currency_code,
            )
        )
    return CartPromotions(applied=applied, next_threshold=next_threshold(basket))


def next_threshold(basket) -> ThresholdHint | None:
    """The lowest threshold above the cart's total among the buyer's threshold promotions."""
    if basket.is_empty:
        return None
    total = goods_total(basket)
    candidates = []
    for terms in terms_for_basket(basket).values():
        if not terms.is_threshold or terms.threshold is None or terms.threshold <= total:
            continue
        if applies_now(terms, basket):  # not another buyer's, not outside its dates
            candidates.append(terms)
    if not candidates:
        return None
    best = min(candidates, key=lambda t: (t.threshold, -t.priority, t.promotion_id))
    missing = best.threshold - total
    return ThresholdHint(
        name=best.name,
        missing_amount=missing,
        currency=best.currency,
        message=missing_message(best, missing),
    )
