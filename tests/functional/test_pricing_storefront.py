"""What buyers see of their prices: contract and tier prices on the pages, in the cart and the
order; the order keeps how each price was made."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.apps.basket.models import Basket

from pipit.ordering.services import place_order
from pipit.pricing.compiler import Scope, compile_prices
from pipit.pricing.models import LinePrice, PriceList, PriceListItem, PriceRule
from pipit.pricing.strategy import StorefrontStrategy
from pipit.tenancy.models import StorefrontGroup
from pipit.testing import factories

pytestmark = pytest.mark.django_db


def publish(obj):
    obj.save()
    obj.save_revision().publish()
    return obj


@pytest.fixture
def priced(storefront, company):
    drill = factories.product(storefront, "Drill", price="100.00", stock={"main": 500})
    saw = factories.product(storefront, "Saw", price="60.00", stock={"main": 500})
    contract = publish(
        PriceList(storefront=storefront, name="Alpha contract", kind="company", currency="RUB")
    )
    PriceListItem.objects.create(price_list=contract, product=drill, company=company, price="50.00")
    PriceListItem.objects.create(
        price_list=contract, product=drill, company=company, min_quantity=10, price="45.00"
    )
    rounding = PriceRule(
        storefront=storefront,
        name="Round down to 5",
        action="round",
        value=5,
        rounding="down",
        stacking="cumulative",
        product_scope="products",
    )
    rounding.products.set([drill])  # parental: saved with the rule
    publish(rounding)
    compile_prices(storefront, Scope())
    return drill, saw


def test_product_page_shows_the_contract_price_its_tiers_and_the_base_price_struck(
    storefront, buyer_client, priced
):
    drill, _saw = priced
    page = buyer_client.get(drill.get_absolute_url()).content.decode()
    assert "Your price by quantity" in page
    assert "from 10" in page
    assert '<s class="price__base"' in page
    assert "100.00" in page and "50.00" in page and "45.00" in page


def test_a_buyer_without_contract_sees_the_base_price_and_no_tiers(
    storefront, other_company, client_for, priced
):
    drill, _saw = priced
    client = client_for(storefront, factories.buyer(other_company))
    page = client.get(drill.get_absolute_url()).content.decode()
    assert "Your price by quantity" not in page
    assert "price__base" not in page


def test_sorting_by_price_uses_the_buyers_own_prices(storefront, buyer_client, priced):
    drill, saw = priced
    page = buyer_client.get(reverse("catalogue:index"), {"sort": "price"}).content.decode()
    # Base prices would put the saw (60) first; this buyer pays 50 for the drill.
    assert page.index("Drill") < page.index("Saw")


def test_the_order_keeps_each_line_price_with_its_explanation(
    storefront, company, buyer, client_for, priced
):
    drill, saw = priced
    basket = Basket.objects.create(owner=buyer)
    basket.strategy = StorefrontStrategy(storefront=storefront, user=buyer)
    basket.add_product(drill, 12)
    basket.add_product(saw, 1)
    order = place_order(
        storefront=storefront, user=buyer, basket=basket, shipping_address=company.addresses.get()
    )
    lines = {line.product_id: line for line in order.lines.all()}
    assert lines[drill.pk].unit_price_excl_tax == Decimal("45.00")
    kept = LinePrice.objects.get(line=lines[drill.pk])
    assert kept.quantity == 12 and kept.price == Decimal("45.00")
    assert [step["kind"] for step in kept.explanation] == ["base", "list", "rule"]
    assert kept.explanation[1]["name"] == "Alpha contract"
    assert LinePrice.objects.get(line=lines[saw.pk]).explanation[0]["kind"] == "base"

    staff = client_for(storefront, factories.staff(storefront, StorefrontGroup.Role.MANAGER))
    page = staff.get(reverse("commerce_orders:edit", args=[order.pk])).content.decode()
    assert "How this price was made" in page
    assert "Alpha contract" in page and "Round down to 5" in page


def test_reaching_a_tier_in_the_cart_reprices_the_line_without_a_price_change_warning(
    storefront, buyer, buyer_client, priced
):
    drill, _saw = priced
    add = reverse("basket:add", kwargs={"pk": drill.pk})
    buyer_client.post(add, {"quantity": 4})
    page = buyer_client.get(reverse("basket:summary")).content.decode()
    assert "50.00" in page
    buyer_client.post(add, {"quantity": 6})  # 10 in all: the contract's second tier
    response = buyer_client.get(reverse("basket:summary"))
    line = response.context["basket"].all_lines()[0]
    assert line.quantity == 10
    assert line.unit_price_excl_tax == Decimal("45.00")
    assert line.get_warning() is None
    assert "has decreased" not in response.content.decode()


def test_the_api_gives_the_buyers_price_and_tier_table(storefront, buyer, priced):
    drill, saw = priced
    api = factories.token_client(storefront, buyer)
    body = api.get(f"/api/v1/products/{drill.pk}/").json()
    assert body["price"]["excl_tax"] == "50.00"
    assert body["tiers"] == [
        {"min_quantity": 1, "excl_tax": "50.00", "incl_tax": "60.00"},
        {"min_quantity": 10, "excl_tax": "45.00", "incl_tax": "54.00"},
    ]
    assert len(api.get(f"/api/v1/products/{saw.pk}/").json()["tiers"]) == 1
