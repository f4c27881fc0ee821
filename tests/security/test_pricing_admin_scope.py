"""Sales ops reach only their own storefront's customer groups, price lists, rows and rules: another
storefront's answer 404 on every URL, never show in listings or choosers, and cannot be chosen
in a form; marketing editors and managers have no pricing screens at all."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from pipit.pricing.models import CustomerGroup, PriceList, PriceListItem, PriceRule
from pipit.tenancy.models import StorefrontGroup
from pipit.testing import factories

Role = StorefrontGroup.Role

RULES = "wagtailsnippets_pricing_pricerule"
LISTS = "wagtailsnippets_pricing_pricelist"
ROWS = "pricing_rows"
GROUPS = "pricing_groups"


@pytest.fixture
def alpha(storefront, company):
    """Alpha's pricing: a group with a company, a published group list with a row, a rule."""
    product = factories.product(storefront, "Alpha secret serum", price="100.00")
    group = CustomerGroup.objects.create(storefront=storefront, name="Alpha VIP", code="vip")
    group.companies.add(company)
    price_list = PriceList(
        storefront=storefront, name="Alpha VIP prices", kind="group", currency="RUB"
    )
    price_list.save()
    price_list.groups.add(group)
    price_list.save()
    price_list.save_revision().publish()
    row = PriceListItem.objects.create(price_list=price_list, product=product, price="77.00")
    rule = PriceRule(storefront=storefront, name="Alpha VIP 15%", action="percent_off", value=15)
    rule.save()
    first = rule.save_revision()
    rule.value = Decimal("20")
    rule.save()
    rule.save_revision().publish()
    return {
        "product": product,
        "company": company,
        "group": group,
        "list": price_list,
        "row": row,
        "rule": rule,
        "first_revision": first,
    }


@pytest.fixture
def beta_ops(other_storefront):
    return factories.staff(other_storefront, Role.PRICING)


@pytest.fixture
def beta_client(other_storefront, beta_ops, client_for):
    return client_for(other_storefront, beta_ops)


def snippet_urls(namespace: str, obj, revision) -> list[str]:
    pk = obj.pk
    latest = obj.latest_revision_id
    return [
        reverse(f"{namespace}:edit", args=[pk]),
        reverse(f"{namespace}:delete", args=[pk]),
        reverse(f"{namespace}:history", args=[pk]),
        reverse(f"{namespace}:usage", args=[pk]),
        reverse(f"{namespace}:lock", args=[pk]),
        reverse(f"{namespace}:unlock", args=[pk]),
        reverse(f"{namespace}:unpublish", args=[pk]),
        reverse(f"{namespace}:revisions_revert", args=[pk, revision.pk]),
        reverse(f"{namespace}:revisions_compare", args=[pk, revision.pk, latest]),
        reverse(f"{namespace}:revisions_unschedule", args=[pk, latest]),
        reverse(f"{namespace}:workflow_history", args=[pk]),
    ]


def test_other_storefronts_sales_ops_get_404_on_every_rule_list_row_and_group_url(
    alpha, beta_client
):
    rule, price_list, row, group = alpha["rule"], alpha["list"], alpha["row"], alpha["group"]
    urls = [
        *snippet_urls(RULES, rule, alpha["first_revision"]),
        *snippet_urls(LISTS, price_list, price_list.latest_revision),
        reverse(f"{ROWS}:edit", args=[row.pk]),
        reverse(f"{ROWS}:delete", args=[row.pk]),
        reverse(f"{ROWS}:history", args=[row.pk]),
        reverse(f"{GROUPS}:edit", args=[group.pk]),
        reverse(f"{GROUPS}:delete", args=[group.pk]),
        reverse(f"{GROUPS}:history", args=[group.pk]),
    ]

    for url in urls:
        assert beta_client.get(url).status_code == 404, url
        assert beta_client.post(url, {"name": "Hijacked", "price": "1"}).status_code == 404, url

    rule.refresh_from_db()
    row.refresh_from_db()
    group.refresh_from_db()
    assert rule.live and rule.name == "Alpha VIP 15%" and not rule.locked
    assert row.price == Decimal("77.00")
    assert group.name == "Alpha VIP"
    assert PriceList.objects.get(pk=price_list.pk).live


def test_listings_show_only_own_storefronts_pricing(alpha, other_storefront, beta_client):
    beta_group = CustomerGroup.objects.create(
        storefront=other_storefront, name="Beta pros", code="pro"
    )
    PriceRule.objects.create(storefront=other_storefront, name="Beta clearance", value=5)
    beta_list = PriceList.objects.create(
        storefront=other_storefront, name="Beta base", currency="RUB"
    )
    beta_product = factories.product(other_storefront, "Beta drill")
    PriceListItem.objects.create(price_list=beta_list, product=beta_product, price="10.00")

    pages = {
        "rules": beta_client.get(reverse(f"{RULES}:list")).content.decode(),
        "lists": beta_client.get(reverse(f"{LISTS}:list")).content.decode(),
        "groups": beta_client.get(reverse(f"{GROUPS}:index")).content.decode(),
        "rows": beta_client.get(reverse(f"{ROWS}:index")).content.decode(),
        # Naming the other storefront's list in the filter shows nothing of it.
        "rows of alpha": beta_client.get(
            reverse(f"{ROWS}:index") + f"?price_list={alpha['list'].pk}"
        ).content.decode(),
        "searched": beta_client.get(reverse(f"{ROWS}:index") + "?q=serum").content.decode(),
    }

    assert "Beta clearance" in pages["rules"]
    assert "Beta base" in pages["lists"]
    assert beta_group.name in pages["groups"]
    assert "Beta drill" in pages["rows"]
    for name, html in pages.items():
        for secret in ("Alpha VIP", "Alpha secret serum", "77.00"):
            assert secret not in html, (name, secret)


def test_choosers_offer_only_own_storefronts_objects(
    alpha, storefront, other_storefront, beta_client
):
    beta_company = factories.company(other_storefront, "Beta Builders LLC")
    factories.product(other_storefront, "Beta drill")
    PriceRule.objects.create(storefront=other_storefront, name="Beta clearance", value=5)
    # Asking for Alpha's products or companies by storefront or list gets the user's own only.
    narrowed = f"?storefront={storefront.pk}&price_list={alpha['list'].pk}"
    pages = {
        "rules": reverse("wagtailsnippetchoosers_pricing_pricerule:choose"),
        "lists": reverse("wagtailsnippetchoosers_pricing_pricelist:choose"),
        "products": reverse("pricing_product_chooser:choose") + narrowed,
        "product search": reverse("pricing_product_chooser:choose_results") + narrowed + "&q=serum",
        "companies": reverse("pricing_company_chooser:choose") + narrowed,
        "categories": reverse("pricing_category_chooser:choose") + narrowed,
    }

    html = {name: beta_client.get(url).content.decode() for name, url in pages.items()}

    assert "Beta clearance" in html["rules"]
    assert "Beta drill" in html["products"]
    assert beta_company.name in html["companies"]
    for name, page in html.items():
        for secret in ("Alpha VIP", "Alpha secret serum", "Alpha Salon LLC", "Alpha catalog"):
            assert secret not in page, (name, secret)
    chosen = [
        reverse("wagtailsnippetchoosers_pricing_pricerule:chosen", args=[alpha["rule"].pk]),
        reverse("pricing_company_chooser:chosen", args=[alpha["company"].pk]),
        reverse("pricing_product_chooser:chosen", args=[alpha["product"].pk]),
    ]
    for url in chosen:
        assert beta_client.get(url).status_code == 404, url
    several = beta_client.get(
        reverse("pricing_company_chooser:chosen_multiple") + f"?id={alpha['company'].pk}"
    )
    assert json.loads(several.content)["result"] == []


def test_forms_refuse_another_storefronts_storefront_groups_companies_and_products(
    alpha, other_storefront, beta_client
):
    rule = {
        "storefront": other_storefront.pk,
        "name": "Sneaky",
        "product_scope": "products",
        "products": [alpha["product"].pk],
        "customer_scope": "companies",
        "companies": [alpha["company"].pk],
        "groups": [alpha["group"].pk],
        "action": "percent_off",
        "value": "50",
        "rounding": "nearest",
        "priority": "0",
        "stacking": "best",
        "tiers-TOTAL_FORMS": "0",
        "tiers-INITIAL_FORMS": "0",
        "tiers-MIN_NUM_FORMS": "0",
        "tiers-MAX_NUM_FORMS": "1000",
    }
    on_alpha = beta_client.post(
        reverse(f"{RULES}:add"), {**rule, "storefront": alpha["list"].storefront_id}
    )
    strays = beta_client.post(reverse(f"{RULES}:add"), rule)
    group = beta_client.post(
        reverse(f"{GROUPS}:add"),
        {
            "storefront": other_storefront.pk,
            "name": "G",
            "code": "g",
            "companies": [alpha["company"].pk],
        },
    )
    row = beta_client.post(
        reverse(f"{ROWS}:add") + f"?price_list={alpha['list'].pk}",
        {
            "price_list": alpha["list"].pk,
            "product": alpha["product"].pk,
            "min_quantity": "1",
            "price": "1.00",
        },
    )

    assert "storefront" in on_alpha.context["form"].errors
    assert {"products", "companies", "groups"} <= set(strays.context["form"].errors)
    assert "companies" in group.context["form"].errors
    assert "price_list" in row.context["form"].errors
    assert not PriceRule.objects.filter(name="Sneaky").exists()
    assert not CustomerGroup.objects.filter(code="g").exists()
    assert PriceListItem.objects.filter(price_list=alpha["list"]).count() == 1


def test_a_row_cannot_take_a_product_of_another_storefront(
    alpha, storefront, other_storefront, client_for
):
    # A superuser staffs both: the form must still keep each list to its own catalog.
    root = client_for(storefront, factories.superuser())
    beta_product = factories.product(other_storefront, "Beta drill")

    response = root.post(
        reverse(f"{ROWS}:add"),
        {
            "price_list": alpha["list"].pk,
            "product": beta_product.pk,
            "min_quantity": "1",
            "price": "5",
        },
    )

    assert "does not sell this product" in str(response.context["form"].errors["product"])
    assert not PriceListItem.objects.filter(product=beta_product).exists()


def test_bulk_delete_skips_another_storefronts_rule(alpha, other_storefront, beta_client):
    own = PriceRule.objects.create(storefront=other_storefront, name="Beta clearance", value=5)
    url = reverse("wagtail_bulk_action", args=["pricing", "pricerule", "delete"])

    beta_client.post(f"{url}?id={own.pk}&id={alpha['rule'].pk}", {})

    assert PriceRule.objects.filter(pk=alpha["rule"].pk).exists()
    assert not PriceRule.objects.filter(pk=own.pk).exists()


@pytest.mark.parametrize("role", [Role.EDITOR, Role.MANAGER])
def test_editors_and_managers_have_no_pricing_menu_or_screens(alpha, storefront, client_for, role):
    client = client_for(storefront, factories.staff(storefront, role))

    home = client.get(reverse("wagtailadmin_home")).content.decode()

    assert reverse(f"{RULES}:list") not in home
    assert reverse(f"{LISTS}:list") not in home
    assert reverse(f"{GROUPS}:index") not in home
    for url in [
        reverse(f"{RULES}:list"),
        reverse(f"{RULES}:add"),
        reverse(f"{RULES}:edit", args=[alpha["rule"].pk]),
        reverse(f"{LISTS}:list"),
        reverse(f"{GROUPS}:index"),
        reverse(f"{ROWS}:index"),
        reverse(f"{ROWS}:edit", args=[alpha["row"].pk]),
    ]:
        # Refused (403), or not there at all (404) where the object is named.
        assert client.get(url).status_code in (302, 403, 404), url


def test_sales_ops_of_one_storefront_who_edit_pages_of_another_reach_only_the_first_ones_prices(
    alpha, storefront, other_storefront, client_for
):
    # Model permissions are installation-wide; the pricing role is not.
    user = factories.staff(other_storefront, Role.PRICING)
    user.groups.add(StorefrontGroup.objects.get(storefront=storefront, role=Role.EDITOR).group)
    client = client_for(other_storefront, user)
    PriceRule.objects.create(storefront=other_storefront, name="Beta clearance", value=5)

    rules = client.get(reverse(f"{RULES}:list")).content.decode()
    edit = client.get(reverse(f"{RULES}:edit", args=[alpha["rule"].pk]))
    row = client.get(reverse(f"{ROWS}:edit", args=[alpha["row"].pk]))
    group = client.get(reverse(f"{GROUPS}:edit", args=[alpha["group"].pk]))
    form = client.get(reverse(f"{RULES}:add"))

    assert "Beta clearance" in rules and "Alpha VIP" not in rules
    assert (edit.status_code, row.status_code, group.status_code) == (404, 404, 404)
    offered = list(form.context["form"].fields["storefront"].queryset)
    assert offered == [other_storefront]
