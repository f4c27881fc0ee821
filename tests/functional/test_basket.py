"""The cart page: quantities, removal, totals with and without VAT, stock warnings."""

import pytest
from django.urls import reverse

from pipit.inventory.models import WarehouseStock
from pipit.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def shampoo(storefront):
    return factories.product(storefront, "Argan Shampoo", price="250.00", stock={"main": 40})


@pytest.fixture
def mask(storefront):
    return factories.product(storefront, "Clay Mask", price="400.00", stock={"main": 10})


def add(client, product, quantity):
    response = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": quantity})
    assert response.status_code == 302


def cart_formset(client, **quantities_by_title):
    """The cart's POST data with quantities changed (title → quantity, or "DELETE")."""
    page = client.get(reverse("basket:summary"))
    formset = page.context["formset"]
    data = {
        f"{formset.prefix}-TOTAL_FORMS": len(formset.forms),
        f"{formset.prefix}-INITIAL_FORMS": len(formset.forms),
        f"{formset.prefix}-MIN_NUM_FORMS": 0,
        f"{formset.prefix}-MAX_NUM_FORMS": 1000,
    }
    for i, form in enumerate(formset.forms):
        line = form.instance
        data[f"{formset.prefix}-{i}-id"] = line.pk
        data[f"{formset.prefix}-{i}-quantity"] = line.quantity
        wanted = quantities_by_title.get(line.product.title)
        if wanted == "DELETE":
            data[f"{formset.prefix}-{i}-DELETE"] = "on"
        elif wanted is not None:
            data[f"{formset.prefix}-{i}-quantity"] = wanted
    return data


def test_cart_shows_lines_and_totals_excl_and_incl_vat(buyer_client, shampoo, mask):
    add(buyer_client, shampoo, 2)
    add(buyer_client, mask, 1)

    page = buyer_client.get(reverse("basket:summary")).content.decode()

    assert "Argan Shampoo" in page and "Clay Mask" in page
    assert "500.00" in page  # 2 × 250 excl. VAT
    assert "600.00" in page  # 2 × 250 incl. 20 % VAT
    assert "900.00" in page  # cart total excl. VAT
    assert "1,080.00" in page  # cart total incl. VAT
    assert "Proceed to checkout" in page


def test_buyer_changes_a_quantity(buyer_client, shampoo, mask):
    add(buyer_client, shampoo, 2)
    add(buyer_client, mask, 1)

    response = buyer_client.post(
        reverse("basket:summary"), cart_formset(buyer_client, **{"Clay Mask": 3})
    )

    assert response.status_code == 302
    page = buyer_client.get(reverse("basket:summary")).content.decode()
    assert "1,700.00" in page  # 2 × 250 + 3 × 400


def test_buyer_removes_a_line(buyer_client, shampoo, mask):
    add(buyer_client, shampoo, 2)
    add(buyer_client, mask, 1)

    buyer_client.post(
        reverse("basket:summary"), cart_formset(buyer_client, **{"Argan Shampoo": "DELETE"})
    )

    page = buyer_client.get(reverse("basket:summary")).content.decode()
    assert "Argan Shampoo" not in page
    assert "Clay Mask" in page


def test_quantity_above_stock_is_refused_on_the_line(buyer_client, mask):
    add(buyer_client, mask, 1)

    response = buyer_client.post(
        reverse("basket:summary"), cart_formset(buyer_client, **{"Clay Mask": 50})
    )

    assert response.status_code == 200
    assert "Only 10 available" in response.content.decode()


def test_line_warns_when_stock_fell_below_the_quantity(buyer_client, mask):
    add(buyer_client, mask, 6)
    WarehouseStock.objects.filter(stockrecord__product=mask).update(num_allocated=8)

    page = buyer_client.get(reverse("basket:summary")).content.decode()

    assert 'class="line-warning"' in page
    assert "Only 2 available in the warehouses of this storefront" in page


def test_empty_cart_invites_to_the_catalog(buyer_client):
    page = buyer_client.get(reverse("basket:summary")).content.decode()

    assert "Your cart is empty." in page
    assert reverse("catalogue:index") in page
    assert "Proceed to checkout" not in page


def test_prices_are_shown_in_the_stock_records_currency(client_for):
    euro = factories.storefront("euro", currency="EUR")
    buyer = factories.buyer(factories.company(euro))
    client = client_for(euro, buyer)
    add(client, factories.product(euro, "Euro Balm", price="10.00"), 3)

    page = client.get(reverse("basket:summary")).content.decode()

    assert "€30.00" in page or "30.00 €" in page or "30,00" in page
    assert "RUB" not in page and "₽" not in page
