"""Sales ops edit their storefront's order promotions in the admin; nobody else's."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from oscar.apps.offer.models import ConditionalOffer

from pipit.pricing.models import CustomerGroup
from pipit.promotions import services
from pipit.promotions.models import OrderPromotion
from pipit.tenancy.models import StorefrontGroup
from pipit.testing import factories

pytestmark = pytest.mark.django_db

Role = StorefrontGroup.Role

#: What the pricing and admin roles need on promotions (the lead adds them to tenancy/roles.py).
PROMOTION_PERMISSIONS = [
    "add_orderpromotion",
    "change_orderpromotion",
    "delete_orderpromotion",
    "view_orderpromotion",
    "publish_orderpromotion",
    "lock_orderpromotion",
    "unlock_orderpromotion",
]


def grant_promotions(storefront, role=Role.PRICING) -> None:
    group = StorefrontGroup.objects.get(storefront=storefront, role=role).group
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="promotions", codename__in=PROMOTION_PERMISSIONS
        )
    )


def url(action: str, item: OrderPromotion | None = None) -> str:
    name = f"wagtailsnippets_promotions_orderpromotion:{action}"
    return reverse(name, args=[item.pk]) if item else reverse(name)


def publish(storefront, name: str, **fields) -> OrderPromotion:
    fields.setdefault("kind", OrderPromotion.Kind.PERCENT_OFF)
    fields.setdefault("threshold", Decimal("1500000"))
    fields.setdefault("value", Decimal("5"))
    return services.publish(OrderPromotion(storefront=storefront, name=name, **fields))


@pytest.fixture
def sales_ops(storefront, other_storefront):
    grant_promotions(storefront)
    grant_promotions(other_storefront)
    return factories.staff(storefront, Role.PRICING)


@pytest.fixture
def admin_client(storefront, sales_ops, client_for):
    return client_for(storefront, sales_ops)


@pytest.fixture
def beta_promotion(other_storefront):
    return publish(other_storefront, "Beta 10% over 1M", value=Decimal("10"))


def form_data(storefront, **overrides) -> dict:
    data = {
        "storefront": storefront.pk,
        "name": "5% off orders over 1.5M",
        "description": "For regular customers.",
        "kind": "percent_off",
        "threshold": "1500000",
        "value": "5",
        "buy_quantity": "",
        "free_quantity": "",
        "customer_scope": "all",
        "valid_from": "",
        "valid_to": "",
        "priority": "0",
    }
    for relation in ("scope_products", "scope_categories"):
        data.update(
            {
                f"{relation}-TOTAL_FORMS": "0",
                f"{relation}-INITIAL_FORMS": "0",
                f"{relation}-MIN_NUM_FORMS": "0",
                f"{relation}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(overrides)
    return data


def with_rows(data: dict, relation: str, field: str, ids: list[int]) -> dict:
    data = dict(data)
    data[f"{relation}-TOTAL_FORMS"] = str(len(ids))
    for i, pk in enumerate(ids):
        data.update({f"{relation}-{i}-{field}": str(pk), f"{relation}-{i}-ORDER": str(i + 1)})
        data[f"{relation}-{i}-id"] = ""
        data[f"{relation}-{i}-DELETE"] = ""
    return data


# -- scoping ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action",
    ["edit", "delete", "history", "usage", "unpublish", "lock", "unlock", "revisions_compare"],
)
def test_other_storefronts_promotion_answers_404(action, beta_promotion, admin_client):
    if action == "revisions_compare":
        target = reverse(
            "wagtailsnippets_promotions_orderpromotion:revisions_compare",
            args=[beta_promotion.pk, "live", "latest"],
        )
    else:
        target = url(action, beta_promotion)

    assert admin_client.get(target).status_code == 404
    assert admin_client.post(target, {"name": "Hijacked"}).status_code == 404
    beta_promotion.refresh_from_db()
    assert (beta_promotion.name, beta_promotion.live) == ("Beta 10% over 1M", True)


def test_list_shows_own_promotions_with_status(storefront, beta_promotion, admin_client):
    publish(storefront, "Alpha 5% over 1.5M")
    draft = OrderPromotion(storefront=storefront, name="Alpha draft", threshold=1, value=1)
    draft.live = False
    draft.save()

    response = admin_client.get(url("list"))
    html = response.content.decode()

    assert response.status_code == 200
    assert "Alpha 5% over 1.5M" in html and "Alpha draft" in html
    assert "Beta 10% over 1M" not in html
    assert "live" in html.lower() and "draft" in html.lower()


def test_chooser_lists_only_own_promotions(storefront, beta_promotion, admin_client):
    publish(storefront, "Alpha 5% over 1.5M")

    html = admin_client.get(
        reverse("wagtailsnippetchoosers_promotions_orderpromotion:choose")
    ).content.decode()

    assert "Alpha 5% over 1.5M" in html
    assert "Beta 10% over 1M" not in html


def test_staff_without_promotion_permissions_cannot_open_the_screens(storefront, client_for):
    editor = factories.staff(storefront, Role.EDITOR)

    response = client_for(storefront, editor).get(url("list"))

    assert response.status_code in (302, 403)


def test_pricing_menu_lists_order_promotions(admin_client):
    html = admin_client.get(reverse("wagtailadmin_home")).content.decode()

    assert "Order promotions" in html
    assert url("list") in html


# -- the form -----------------------------------------------------------------------------------


def test_form_offers_only_own_storefront_groups_and_companies(
    storefront, other_storefront, company, admin_client
):
    CustomerGroup.objects.create(storefront=storefront, name="Regular", code="regular")
    CustomerGroup.objects.create(storefront=other_storefront, name="Beta distributors", code="d")
    factories.company(other_storefront, "Beta Buyer LLC")

    html = admin_client.get(url("add")).content.decode()

    assert f'value="{storefront.pk}"' in html
    assert f'value="{other_storefront.pk}"' not in html
    assert "Regular" in html and "Alpha Salon LLC" in html
    assert "Beta distributors" not in html and "Beta Buyer LLC" not in html


def test_saving_creates_a_draft_that_does_nothing_until_published(storefront, admin_client):
    response = admin_client.post(url("add"), form_data(storefront))

    assert response.status_code == 302, response.content.decode()[:2000]
    item = OrderPromotion.objects.get(name="5% off orders over 1.5M")
    assert (item.storefront, item.live) == (storefront, False)
    assert not ConditionalOffer.objects.exists()

    response = admin_client.post(
        url("edit", item), form_data(storefront, **{"action-publish": "action-publish"})
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    item.refresh_from_db()
    assert item.live
    offer = ConditionalOffer.objects.get()
    assert offer.is_open and offer.offer_type == ConditionalOffer.SITE


def test_publishing_a_multibuy_with_chosen_products(storefront, admin_client):
    red = factories.product(storefront, "Red polish", price="300.00")
    data = with_rows(
        form_data(
            storefront,
            name="3 for 2 on red",
            kind="buy_n_get_m",
            threshold="",
            value="",
            buy_quantity="3",
            free_quantity="1",
            **{"action-publish": "action-publish"},
        ),
        "scope_products",
        "product",
        [red.pk],
    )

    response = admin_client.post(url("add"), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    item = OrderPromotion.objects.get(name="3 for 2 on red")
    assert item.live
    assert [row.product for row in item.scope_products.all()] == [red]
    offer = ConditionalOffer.objects.get()
    assert list(offer.condition.range.included_products.all()) == [red]


def test_multibuy_refuses_another_storefronts_product(storefront, other_storefront, admin_client):
    beta_product = factories.product(other_storefront, "Beta polish")
    data = with_rows(
        form_data(
            storefront,
            name="3 for 2",
            kind="buy_n_get_m",
            threshold="",
            value="",
            buy_quantity="3",
            free_quantity="1",
        ),
        "scope_products",
        "product",
        [beta_product.pk],
    )

    response = admin_client.post(url("add"), data)

    assert response.status_code == 200
    assert not OrderPromotion.objects.exists()


def test_form_errors_name_what_is_missing(storefront, admin_client):
    response = admin_client.post(
        url("add"),
        form_data(storefront, threshold="", customer_scope="groups", kind="percent_off"),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Set the cart total from which the discount applies." in html
    assert "Choose at least one customer group." in html
    assert not OrderPromotion.objects.exists()


def test_multibuy_without_products_is_refused(storefront, admin_client):
    response = admin_client.post(
        url("add"),
        form_data(
            storefront,
            kind="buy_n_get_m",
            threshold="",
            value="",
            buy_quantity="3",
            free_quantity="1",
        ),
    )

    assert response.status_code == 200
    assert "A multi-buy needs products" in response.content.decode()
    assert not OrderPromotion.objects.exists()


def test_cannot_create_a_promotion_on_another_storefront(other_storefront, admin_client):
    response = admin_client.post(url("add"), form_data(other_storefront))

    assert response.status_code == 200
    assert not OrderPromotion.objects.exists()


def test_bulk_delete_skips_another_storefronts_promotion(storefront, beta_promotion, admin_client):
    own = publish(storefront, "Alpha 5% over 1.5M")
    bulk = reverse("wagtail_bulk_action", args=["promotions", "orderpromotion", "delete"])

    admin_client.post(f"{bulk}?id={own.pk}&id={beta_promotion.pk}", {})

    assert OrderPromotion.objects.filter(pk=beta_promotion.pk).exists()
    assert not OrderPromotion.objects.filter(pk=own.pk).exists()
    # The deleted promotion's offer went with it; beta's still runs.
    assert list(ConditionalOffer.objects.values_list("pipit_promotion__promotion", flat=True)) == [
        beta_promotion.pk
    ]


def test_threshold_promotion_refuses_a_product_scope(storefront, admin_client):
    red = factories.product(storefront, "Red polish")
    data = with_rows(form_data(storefront), "scope_products", "product", [red.pk])

    response = admin_client.post(url("add"), data)

    assert response.status_code == 200
    assert "A threshold promotion discounts the whole order" in response.content.decode()
    assert not OrderPromotion.objects.exists()
