"""Pricing → Explain a price, Catalog as a company, and the impact preview before publishing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pipit.oscar_apps.partner.models import StockRecord
from pipit.pricing.admin_insight import PreviewImpactMenuItem, preview_before_publishing
from pipit.pricing.models import CustomerGroup, PriceList, PriceListItem, PriceRule
from pipit.pricing.strategy import StorefrontStrategy
from pipit.tenancy.models import StorefrontGroup
from pipit.testing import factories

pytestmark = pytest.mark.django_db

Role = StorefrontGroup.Role
EXPLAIN = "/admin/pricing/explain/"
CATALOG = "/admin/pricing/catalog-as-company/"


def publish(obj):
    obj.save()
    obj.save_revision().publish()
    return obj


def grant_publish(user, model=PriceRule):
    """The right to publish, whatever the role's group holds."""
    content_type = ContentType.objects.get_for_model(model)
    codename = f"publish_{model._meta.model_name}"
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": f"Can {codename}"}
    )
    user.user_permissions.add(permission)


def shown_price(sf, user, product, quantity=1) -> Decimal:
    strategy = StorefrontStrategy(storefront=sf, user=user)
    return strategy.fetch_for_product(product, quantity=quantity).price.excl_tax


@pytest.fixture
def shop(storefront, other_storefront, django_capture_on_commit_callbacks):
    sf = storefront
    hair = factories.category(sf, "Hair")
    shampoo = factories.product(sf, "Shampoo", price="100.00", categories=[hair], sku="SH-1")
    comb = factories.product(sf, "Comb", price="50.00", categories=[hair], sku="CO-1")
    StockRecord.objects.filter(product=comb).update(cost_price=Decimal("48.00"))
    acme = factories.company(sf, "Acme")
    regular = CustomerGroup.objects.create(storefront=sf, name="Regular", code="regular")
    regular.companies.add(acme)
    with django_capture_on_commit_callbacks(execute=True):
        contracts = publish(
            PriceList(storefront=sf, name="Contracts", kind="company", currency=sf.currency)
        )
        PriceListItem.objects.create(
            price_list=contracts, product=shampoo, company=acme, price="85.00"
        )
        publish(
            PriceRule(
                storefront=sf,
                name="Round to 5",
                action="round",
                value=5,
                rounding="down",
                stacking="cumulative",
            )
        )
    beta = other_storefront
    return {
        "sf": sf,
        "hair": hair,
        "shampoo": shampoo,
        "comb": comb,
        "acme": acme,
        "buyer": factories.buyer(acme),
        "pricing": factories.staff(sf, Role.PRICING),
        "beta_company": factories.company(beta, "Beta Corp"),
        "beta_product": factories.product(beta, "Beta drill", price="10.00"),
        "beta_rule": publish(PriceRule(storefront=beta, name="Beta rule", value=5)),
    }


@pytest.fixture
def ops(shop, client_for):
    """A sales ops client (pricing role) on the storefront's host."""
    return client_for(shop["sf"], shop["pricing"])


def draft_rule(sf, hair):
    rule = PriceRule(
        storefront=sf,
        name="Hair -10%",
        action="percent_off",
        value=Decimal("10"),
        product_scope="categories",
        priority=10,
        live=False,
    )
    rule.save()
    rule.categories.set([hair])
    rule.save_revision()
    return rule


# -- explain -------------------------------------------------------------------------------------


def test_sales_ops_see_the_chain_of_a_contract_price(shop, ops):
    sf, acme, shampoo = shop["sf"], shop["acme"], shop["shampoo"]

    page = ops.get(EXPLAIN, {"company": acme.pk, "product": shampoo.pk, "quantity": 3})

    assert page.status_code == 200
    e = page.context["explanation"]
    assert e.chosen_list.price_list.name == "Contracts"
    assert [(s.rule.name, s.reason, s.after) for s in e.rules] == [
        ("Round to 5", "applied", Decimal("85.00"))
    ]
    assert e.final == Decimal("85.00") == shown_price(sf, shop["buyer"], shampoo, 3)
    html = page.content.decode()
    assert "Contracts" in html and "Round to 5" in html
    assert 'data-list-row="used"' in html and 'data-rule-step="applied"' in html
    assert "The storefront shows this price now." in html
    rule_edit = reverse(PriceRule.snippet_viewset.get_url_name("edit"), args=[e.rules[0].rule.pk])
    list_edit = reverse(
        PriceList.snippet_viewset.get_url_name("edit"), args=[e.chosen_list.price_list.pk]
    )
    assert f'href="{rule_edit}"' in html and f'href="{list_edit}"' in html


def test_explain_finds_a_product_by_sku_and_says_which_sku_it_does_not_know(shop, ops):
    page = ops.get(EXPLAIN, {"sku": "sh-1", "quantity": 1})
    assert page.context["explanation"].product == shop["shampoo"]
    assert page.context["explanation"].final == Decimal("100.00")  # no company: base price

    page = ops.get(EXPLAIN, {"sku": "NOPE-1"})
    assert page.status_code == 200
    assert page.context["explanation"] is None
    assert "sku" in page.context["form"].errors


def test_explain_asks_for_a_variant_of_a_parent_product(shop, ops):
    parent = factories.parent_product(
        shop["sf"], "Dye", [{"title": "Dye red", "sku": "DY-R"}, {"title": "Dye blue"}]
    )

    page = ops.get(EXPLAIN, {"product": parent.pk})

    assert "product" in page.context["form"].errors
    assert {v["product"].title for v in page.context["variants"]} == {"Dye red", "Dye blue"}


def test_another_storefronts_company_or_product_answers_404(shop, ops):
    assert ops.get(EXPLAIN, {"company": shop["beta_company"].pk, "sku": "SH-1"}).status_code == 404
    assert ops.get(EXPLAIN, {"product": shop["beta_product"].pk}).status_code == 404
    assert ops.get(EXPLAIN, {"storefront": shop["beta_company"].storefront_id}).status_code == 404
    assert ops.get(CATALOG, {"company": shop["beta_company"].pk}).status_code == 404
    assert ops.get(EXPLAIN, {"company": "x", "sku": "SH-1"}).status_code == 404


def test_editors_do_not_get_pricing_insight(shop, client_for):
    editor = client_for(shop["sf"], factories.staff(shop["sf"], Role.EDITOR))
    for url in (EXPLAIN, CATALOG):
        refused = editor.get(url)  # Wagtail's admin answers "permission denied" this way
        assert (refused.status_code, refused.url) == (302, "/admin/")
    home = editor.get("/admin/")
    assert EXPLAIN not in home.content.decode()


def test_menu_lists_the_insight_screens_for_sales_ops(shop, ops):
    html = ops.get("/admin/").content.decode()
    assert EXPLAIN in html and CATALOG in html


# -- catalog as a company ------------------------------------------------------------------------


def test_catalog_as_a_company_shows_their_prices_and_links_to_explain(shop, ops):
    acme, shampoo = shop["acme"], shop["shampoo"]

    page = ops.get(CATALOG, {"company": acme.pk, "category": shop["hair"].pk})

    assert page.status_code == 200
    rows = {row["product"].title: row for row in page.context["rows"]}
    assert rows["Shampoo"]["price"].excl_tax == Decimal("85.00")
    assert rows["Shampoo"]["price"].base_excl_tax == Decimal("100.00")
    assert [level.available for level in rows["Shampoo"]["availability"].levels] == [10]
    assert f"product={shampoo.pk}" in rows["Shampoo"]["explain_url"]
    assert f"company={acme.pk}" in rows["Shampoo"]["explain_url"]
    searched = ops.get(CATALOG, {"company": acme.pk, "q": "CO-1"})
    assert [row["product"].title for row in searched.context["rows"]] == ["Comb"]


def test_catalog_as_a_company_costs_the_same_queries_for_5_or_30_products(shop, ops):
    sf, acme = shop["sf"], shop["acme"]
    category = factories.category(sf, "Bulk")
    factories.parent_product(
        sf, "Bulk parent", [{"title": "V1"}, {"title": "V2"}], categories=[category]
    )
    for n in range(4):
        factories.product(sf, f"Bulk {n}", categories=[category])
    params = {"company": acme.pk, "category": category.pk}
    ops.get(CATALOG, params)  # warm: session, the company's segment, plugin switches

    def count():
        with CaptureQueriesContext(connection) as queries:
            page = ops.get(CATALOG, params)
        assert page.status_code == 200
        return len(queries), len(page.context["rows"])

    few, rows = count()
    assert rows == 6  # two variants and four products
    for n in range(25):
        factories.product(sf, f"More {n}", categories=[category])
    many, rows = count()
    assert rows == 31
    assert few == many, (few, many)


# -- impact preview ------------------------------------------------------------------------------


def test_impact_preview_of_a_draft_ten_percent_rule(shop, ops):
    rule = draft_rule(shop["sf"], shop["hair"])

    page = ops.get(f"/admin/pricing/impact/rule/{rule.pk}/")

    assert page.status_code == 200
    report = page.context["report"]
    assert report.products_changed == 2
    assert report.companies_changed == 1
    top = report.biggest[0]  # Acme: 85 → 76.50, rounded down to 75
    assert (top.product.title, top.audience.label, top.pct) == ("Shampoo", "Acme", Decimal("-11.8"))
    assert {(c.product.title, c.audience.label, c.new) for c in report.biggest} == {
        ("Shampoo", "Storefront price", Decimal("90.00")),
        ("Comb", "Storefront price", Decimal("45.00")),
        ("Shampoo", "Acme", Decimal("75.00")),  # 85 − 10% = 76.50, rounded down to 75
    }
    [below] = report.below_cost
    assert (below.product.title, below.price, below.cost) == (
        "Comb",
        Decimal("45.00"),
        Decimal("48.00"),
    )
    html = page.content.decode()
    assert "data-below-cost" in html and "Prices below cost" in html


def test_publishing_from_the_impact_page_changes_the_buyers_price(
    shop, ops, django_capture_on_commit_callbacks
):
    sf, shampoo = shop["sf"], shop["shampoo"]
    rule = draft_rule(sf, shop["hair"])
    grant_publish(shop["pricing"])
    url = f"/admin/pricing/impact/rule/{rule.pk}/"
    assert 'name="revision"' in ops.get(url).content.decode()
    assert shown_price(sf, shop["buyer"], shampoo) == Decimal("85.00")

    with django_capture_on_commit_callbacks(execute=True):
        response = ops.post(url, {"revision": rule.latest_revision_id})

    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.live
    assert shown_price(sf, shop["buyer"], shampoo) == Decimal("75.00")


def test_publishing_a_version_that_is_no_longer_the_latest_is_refused(shop, ops):
    rule = draft_rule(shop["sf"], shop["hair"])
    grant_publish(shop["pricing"])
    first = rule.latest_revision_id
    rule.save_revision()  # someone saved again meanwhile

    response = ops.post(f"/admin/pricing/impact/rule/{rule.pk}/", {"revision": first})

    assert response.status_code == 302
    rule.refresh_from_db()
    assert not rule.live


def test_publishing_needs_the_publish_permission(shop, ops):
    rule = draft_rule(shop["sf"], shop["hair"])
    group = StorefrontGroup.objects.get(storefront=shop["sf"], role=Role.PRICING).group
    group.permissions.remove(*Permission.objects.filter(codename="publish_pricerule"))

    response = ops.post(
        f"/admin/pricing/impact/rule/{rule.pk}/", {"revision": rule.latest_revision_id}
    )

    assert (response.status_code, response.url) == (302, "/admin/")  # permission denied
    rule.refresh_from_db()
    assert not rule.live


def test_another_storefronts_rule_or_revision_answers_404(shop, ops):
    beta_rule = shop["beta_rule"]
    assert ops.get(f"/admin/pricing/impact/rule/{beta_rule.pk}/").status_code == 404
    rule = draft_rule(shop["sf"], shop["hair"])
    url = f"/admin/pricing/impact/rule/{rule.pk}/"
    assert ops.get(url, {"revision": beta_rule.latest_revision_id}).status_code == 404
    assert ops.get(f"/admin/pricing/impact/page/{rule.pk}/").status_code == 404


def test_the_impact_of_a_price_list_draft(shop, ops):
    sf, comb = shop["sf"], shop["comb"]
    sale = PriceList(storefront=sf, name="Sale", kind="storefront", currency=sf.currency)
    sale.live = False
    sale.save()
    PriceListItem.objects.create(price_list=sale, product=comb, price="40.00")
    sale.save_revision()

    page = ops.get(f"/admin/pricing/impact/list/{sale.pk}/")

    report = page.context["report"]
    assert [(c.product.title, c.old, c.new) for c in report.biggest] == [
        ("Comb", Decimal("50.00"), Decimal("40.00"))
    ]
    assert report.below_cost[0].price == Decimal("40.00")


# -- the edit page goes through the preview ------------------------------------------------------


def test_the_edit_page_offers_preview_impact(shop):
    from wagtail.snippets.action_menu import get_base_snippet_action_menu_items

    rule = draft_rule(shop["sf"], shop["hair"])
    items = [
        item
        for item in get_base_snippet_action_menu_items(PriceRule)
        if isinstance(item, PreviewImpactMenuItem)
    ]
    assert len(items) == 1
    request = RequestFactory().get("/")
    request.user = shop["pricing"]
    context = {"view": "edit", "instance": rule, "request": request, "model": PriceRule}
    assert items[0].is_shown(context)
    assert items[0].get_url(context).startswith(f"/admin/pricing/impact/rule/{rule.pk}/")
    stranger = factories.staff(shop["beta_rule"].storefront, Role.PRICING)
    request.user = stranger
    assert not items[0].is_shown(context)


def test_publish_on_the_edit_page_goes_through_the_impact_preview(
    shop, ops, django_capture_on_commit_callbacks
):
    """Wagtail's edit view saves the new revision, then asks ``before_publish``: the hook answers
    with the preview of that revision; its Publish button publishes it."""
    rule = draft_rule(shop["sf"], shop["hair"])
    edit = reverse(PriceRule.snippet_viewset.get_url_name("edit"), args=[rule.pk])
    page = ops.get(edit)
    assert "Preview impact" in page.content.decode()
    data = _form_post_data(page.context["form"])
    data["value"] = "20"
    data["action-publish"] = "action-publish"

    response = ops.post(edit, data)

    rule.refresh_from_db()
    preview = f"/admin/pricing/impact/rule/{rule.pk}/?revision={rule.latest_revision_id}"
    assert (response.status_code, response.url) == (302, preview)
    assert not rule.live
    report = ops.get(preview).context["report"]
    assert ("Shampoo", "Storefront price", Decimal("80.00")) in {
        (c.product.title, c.audience.label, c.new) for c in report.biggest
    }
    with django_capture_on_commit_callbacks(execute=True):
        ops.post(preview, {"revision": rule.latest_revision_id})
    rule.refresh_from_db()
    assert rule.live
    # Acme: contract 85 → 68 (20% off) → 65 (rounded down to 5).
    assert shown_price(shop["sf"], shop["buyer"], shop["shampoo"]) == Decimal("65.00")


def test_other_snippets_publish_as_usual(shop):
    from pipit.cms.models import PromoBanner

    request = RequestFactory().post("/")
    request.user = shop["pricing"]
    assert preview_before_publishing(request, PromoBanner(storefront=shop["sf"])) is None


def _form_post_data(form) -> dict:
    """The edit form as a browser would post it (initial values, formsets included)."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            data[name] = [str(v.pk if hasattr(v, "pk") else v) for v in value]
        else:
            data[name] = value
    for formset in getattr(form, "formsets", {}).values():
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = management[name].value()
        for index, child in enumerate(formset.forms):
            for name in child.fields:
                value = child[name].value()
                if value is not None:
                    data[f"{formset.prefix}-{index}-{name}"] = value
    return data
