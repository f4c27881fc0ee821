"""Storefront themes as a buyer sees them: inheritance, design tokens, chrome, error pages."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.views.defaults import server_error

from pipit.tenancy.context import storefront_context
from pipit.tenancy.models import Storefront
from pipit.testing import factories
from pipit.themes.models import DesignTokens


@pytest.fixture
def salon(db):
    return factories.storefront("belle", theme="salon")


@pytest.fixture
def industrial(db):
    return factories.storefront("bolt", theme="industrial")


def page(client_for, sf, path="/", user=None):
    response = client_for(sf, user).get(path)
    return response, response.content.decode()


def stylesheets(html: str) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)


# --- theme inheritance ---------------------------------------------------------------------------


def test_salon_storefront_renders_salons_own_template(salon, client_for):
    response, html = page(client_for, salon)
    assert response.status_code == 200
    assert 'class="site-footer salon-footer"' in html


def test_base_storefront_does_not_get_salons_override(storefront, salon, client_for):
    _, html = page(client_for, storefront)
    assert "salon-footer" not in html
    assert 'class="site-footer"' in html


def test_industrial_theme_overrides_search_but_inherits_the_rest_of_the_header(
    industrial, client_for
):
    _, html = page(client_for, industrial)
    assert "Part number, OEM code or name" in html  # industrial's own search partial
    assert 'class="skip-link"' in html and 'class="cart-link"' in html  # base's chrome


def test_unknown_theme_falls_back_to_base(storefront, client_for):
    Storefront.objects.filter(pk=storefront.pk).update(theme="no-such-theme")
    response, html = page(client_for, storefront)
    assert response.status_code == 200
    assert 'class="site-footer"' in html
    assert "/static/themes/base/css/theme.css" in stylesheets(html)


def test_theme_static_falls_back_to_the_parent_theme(salon, client_for):
    _, html = page(client_for, salon)
    links = stylesheets(html)
    # salon has its own theme.css but not site.css, which comes from base, and loads after it.
    assert links[:2] == ["/static/themes/base/css/site.css", "/static/themes/salon/css/theme.css"]


def test_switching_a_storefronts_theme_shows_on_the_next_request(
    storefront, client_for, django_capture_on_commit_callbacks
):
    client = client_for(storefront)
    assert "salon-footer" not in client.get("/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the admin's save commits
        storefront.theme = "salon"
        storefront.save()
    html = client.get("/").content.decode()
    assert "salon-footer" in html
    assert "/static/themes/salon/css/theme.css" in html


def test_each_theme_looks_different(storefront, salon, industrial, client_for):
    bodies = {sf.theme: page(client_for, sf)[1] for sf in (storefront, salon, industrial)}
    assert 'class="theme-base' in bodies["base"]
    assert 'class="theme-salon' in bodies["salon"]
    assert 'class="theme-industrial' in bodies["industrial"]


# --- design tokens -------------------------------------------------------------------------------


def test_design_tokens_render_as_css_variables(storefront, client_for):
    tokens = DesignTokens.for_site(storefront.site)
    tokens.brand_color, tokens.accent_color, tokens.font = "#6d3b5c", "#e7b7a8", "serif"
    tokens.save()
    _, html = page(client_for, storefront)
    assert "--brand:#6d3b5c" in html
    assert "--accent:#e7b7a8" in html
    assert "--on-accent:#111111" in html  # dark text chosen for the pale accent
    assert "--font:Georgia" in html


def test_token_change_shows_on_the_next_request(storefront, client_for):
    client = client_for(storefront)
    assert "--brand:#1f4e79" in client.get("/").content.decode()  # now cached
    tokens = DesignTokens.for_site(storefront.site)
    tokens.brand_color = "#0b6e4f"
    tokens.tagline = "Fresh look"
    tokens.save()
    html = client.get("/").content.decode()
    assert "--brand:#0b6e4f" in html
    assert "Fresh look" in html


def test_tokens_are_per_storefront(storefront, other_storefront, client_for):
    tokens = DesignTokens.for_site(other_storefront.site)
    tokens.brand_color = "#0b6e4f"
    tokens.save()
    assert "--brand:#0b6e4f" in page(client_for, other_storefront)[1]
    assert "--brand:#0b6e4f" not in page(client_for, storefront)[1]


@pytest.fixture
def admin_client(storefront, client_for):
    return client_for(storefront, factories.superuser())


def _tokens_form(**overrides):
    data = {
        "brand_color": "#1f4e79",
        "accent_color": "#e07a1f",
        "text_on_brand_color": "#ffffff",
        "font": "system",
        "logo": "",
        "tagline": "",
    }
    return data | overrides


def _tokens_url(sf):
    return reverse("wagtailsettings:edit", args=["themes", "designtokens", sf.site.pk])


def test_editor_sees_a_clear_error_for_a_malformed_color(storefront, admin_client):
    response = admin_client.post(_tokens_url(storefront), _tokens_form(brand_color="blue"))
    assert response.status_code == 200
    assert "is not a color" in response.content.decode()
    assert DesignTokens.for_site(storefront.site).brand_color == "#1f4e79"


def test_editor_cannot_save_unreadable_text_on_brand(storefront, admin_client):
    response = admin_client.post(
        _tokens_url(storefront), _tokens_form(brand_color="#f5c518", text_on_brand_color="#ffffff")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "hard to read" in html and "4.5:1" in html
    assert DesignTokens.for_site(storefront.site).brand_color == "#1f4e79"


def test_editors_change_in_admin_is_live_on_the_storefront(storefront, admin_client, client_for):
    buyer_view = client_for(storefront)
    buyer_view.get("/")  # warm the cache
    response = admin_client.post(
        _tokens_url(storefront),
        _tokens_form(brand_color="#5B2A86", tagline="Beauty wholesale"),
    )
    assert response.status_code == 302
    html = buyer_view.get("/").content.decode()
    assert "--brand:#5b2a86" in html  # normalised to lowercase
    assert "Beauty wholesale" in html


def test_logo_replaces_the_storefront_name_and_updates_when_replaced(storefront, client_for):
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    Image = get_image_model()
    logo = Image.objects.create(title="Logo", file=get_test_image_file("logo.png", size=(400, 100)))
    tokens = DesignTokens.for_site(storefront.site)
    tokens.logo = logo
    tokens.save()
    client = client_for(storefront)
    html = client.get("/").content.decode()
    assert re.search(
        r'<img class="brand-logo" src="[^"]+logo[^"]*" width="384" height="96" alt="Alpha">', html
    )
    assert '<span class="brand-name">' not in html
    logo.delete()  # the editor removes the image: the name comes back at once
    assert '<span class="brand-name">Alpha</span>' in client.get("/").content.decode()


# --- chrome ----------------------------------------------------------------------------------------


def test_primary_navigation_lists_the_storefronts_top_categories(storefront, client_for):
    factories.category(storefront, "Hair care")
    factories.category(storefront, "Nails")
    factories.category(storefront, "Nails", "Gel polish")  # second level: not in the menu
    _, html = page(client_for, storefront)
    nav = html.split('class="primary-nav"', 1)[1].split("</nav>", 1)[0]
    assert "Hair care" in nav and "Nails" in nav
    assert "Gel polish" not in nav


def test_new_category_appears_in_the_menu_on_the_next_request(storefront, client_for):
    client = client_for(storefront)
    factories.category(storefront, "Hair care")
    assert "Coloring" not in client.get("/").content.decode()
    factories.category(storefront, "Coloring")
    assert "Coloring" in client.get("/").content.decode()


def test_menu_never_shows_another_storefronts_categories(storefront, other_storefront, client_for):
    factories.category(other_storefront, "Beta secret range")
    assert "Beta secret range" not in page(client_for, storefront)[1]


def test_chrome_costs_no_queries_once_warm(storefront, client_for):
    factories.category(storefront, "Hair care")
    client = client_for(storefront)
    client.get("/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "themes_designtokens" not in sql
    assert "catalogue_category" not in sql


def test_login_page_answers_without_queries_once_warm(
    storefront, client_for, django_assert_num_queries
):
    client = client_for(storefront)
    client.get(reverse("customer:login"))
    with django_assert_num_queries(0):
        assert client.get(reverse("customer:login")).status_code == 200


def test_account_summary_query_count_is_pinned(
    storefront, buyer, client_for, django_assert_num_queries
):
    client = client_for(storefront, buyer)
    client.get(reverse("customer:profile-view"))
    # session, user, the units in the cart for the header: nothing from the theme
    with django_assert_num_queries(3):
        assert client.get(reverse("customer:profile-view")).status_code == 200


def test_buyer_sees_account_navigation_and_cart_count(storefront, buyer, client_for):
    _, html = page(client_for, storefront, user=buyer)
    assert reverse("customer:order-list") in html
    assert reverse("customer:logout") in html
    assert 'class="cart-count is-empty"' in html
    assert "Anna Buyer" in html


def test_cart_count_shows_the_units_in_the_buyers_cart(storefront, buyer, client_for):
    client = client_for(storefront, buyer)
    bolt = factories.product(storefront, "Bolt", stock={"main": 9})
    nut = factories.product(storefront, "Nut", stock={"main": 9})
    for product, quantity in ((bolt, 3), (nut, 2)):
        client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": quantity})
    for path in ("/", reverse("basket:summary")):  # the sum, and the loaded basket's own count
        html = client.get(path).content.decode()
        assert '<span class="cart-count" aria-hidden="true">5</span>' in html
        assert "5 items" in html


def test_anonymous_visitor_is_offered_login_not_account_links(storefront, client_for):
    _, html = page(client_for, storefront)
    assert reverse("customer:login") in html
    assert reverse("customer:logout") not in html


def test_storefront_pages_load_no_oscar_css_or_jquery(storefront, buyer, client_for):
    response = client_for(storefront, buyer).get(reverse("customer:address-list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/themes/base/css/site.css" in html  # Oscar's stock page, inside our chrome
    assert "oscar/css" not in html and "jquery" not in html.lower()
    assert "bootstrap" not in html.lower()


# --- account pages ----------------------------------------------------------------------------------


def test_login_page_has_no_open_registration_form(storefront, client_for):
    response, html = page(client_for, storefront, reverse("customer:login"))
    assert response.status_code == 200
    assert 'id="login_form"' in html
    assert "registration_submit" not in html and "id_registration-email" not in html
    assert "Request an account" in html


def test_buyer_logs_in_through_the_themed_form(storefront, buyer, client_for):
    client = client_for(storefront)
    response = client.post(
        reverse("customer:login"),
        {
            "login-username": "anna@alpha-salon.test",
            "login-password": factories.PASSWORD,
            "login_submit": "1",
        },
    )
    assert response.status_code == 302
    assert "Anna Buyer" in client.get("/").content.decode()


def test_wrong_password_shows_an_error_on_the_login_page(storefront, buyer, client_for):
    response = client_for(storefront).post(
        reverse("customer:login"),
        {"login-username": "anna@alpha-salon.test", "login-password": "nope", "login_submit": "1"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="alert alert-danger"' in html


def test_account_summary_shows_the_buyers_company(storefront, buyer, client_for):
    response = client_for(storefront, buyer).get(reverse("customer:summary"), follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Alpha Salon LLC" in html
    assert reverse("customer:change-password") in html


def test_password_pages_render_in_the_theme(storefront, buyer, client_for):
    client = client_for(storefront, buyer)
    change = client.get(reverse("customer:change-password")).content.decode()
    assert 'id="change_password_form"' in change and 'class="site-header"' in change
    reset = client_for(storefront).get(reverse("password-reset")).content.decode()
    assert 'id="password_reset_form"' in reset and 'class="site-header"' in reset


# --- error pages ------------------------------------------------------------------------------------


def test_missing_page_on_a_storefront_gets_the_themes_404(salon, client_for):
    response, html = page(client_for, salon, "/no-such-page/")
    assert response.status_code == 404
    assert "We can't find that page" in html
    assert "salon-footer" in html  # the storefront's theme, not a bare error page
    assert "/static/themes/salon/css/theme.css" in html


def test_500_page_renders_without_any_context(salon):
    with storefront_context(salon):
        html = render_to_string("500.html")
    assert "Something went wrong" in html
    assert "Belle" in html
    assert "/static/themes/salon/css/theme.css" in html


def test_server_error_view_uses_the_500_template(salon):
    request = RequestFactory().get("/", HTTP_HOST="belle.test")
    with storefront_context(salon):
        response = server_error(request)
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_platform_index_lists_storefronts_with_their_theme(storefront, salon, client):
    html = client.get("/", HTTP_HOST="localhost").content.decode()
    assert "belle.test" in html and "Salon" in html
    assert "/static/themes/base/css/site.css" in html


# --- accessibility smoke ----------------------------------------------------------------------------


class _A11yParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.html_lang = None
        self.ids: set[str] = set()
        self.label_for: set[str] = set()
        self.inputs: list[dict] = []
        self.tags: list[str] = []
        self.skip_link = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag == "html":
            self.html_lang = attrs.get("lang")
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "label" and attrs.get("for"):
            self.label_for.add(attrs["for"])
        if tag in {"input", "select", "textarea"} and attrs.get("type") not in {"hidden", "submit"}:
            self.inputs.append(attrs)
        if tag == "a" and "skip-link" in (attrs.get("class") or "") and self.skip_link is None:
            self.skip_link = attrs.get("href")


def _parse(html: str) -> _A11yParser:
    parser = _A11yParser()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("theme", ["base", "salon", "industrial"])
def test_login_page_accessibility_smoke(theme, client_for, db):
    sf = factories.storefront(f"a11y{theme}", theme=theme)
    _, html = page(client_for, sf, reverse("customer:login"))
    doc = _parse(html)
    assert doc.html_lang == "en"
    assert doc.skip_link == "#main" and "main" in doc.ids
    for landmark in ("header", "nav", "main", "footer"):
        assert landmark in doc.tags, landmark
    assert doc.inputs, "the login form has inputs"
    for field in doc.inputs:
        labelled = field.get("id") in doc.label_for or field.get("aria-label")
        assert labelled, f"input without a label: {field}"


def test_invalid_login_field_is_announced_to_screen_readers(storefront, client_for):
    response = client_for(storefront).post(
        reverse("customer:login"),
        {"login-username": "not-an-email", "login-password": "", "login_submit": "1"},
    )
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_login-password-error"' in html
    assert 'id="id_login-password-error"' in html
