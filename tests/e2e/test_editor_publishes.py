"""A marketing editor changes the home page hero in the Wagtail admin; the storefront shows it."""

import re

import pytest
from playwright.sync_api import expect

from pipit.testing import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def editor_shop(transactional_db):
    sf = factories.storefront("alpha", show_prices_to_anonymous=True)
    home = sf.root_page.specific
    home.body = [
        ("hero", {"heading": "Spring collection is here", "text": "For salons", "style": "brand"})
    ]
    home.save_revision().publish()
    editor = factories.staff(sf, "editor", email="editor@alpha.test")
    return sf, editor


def test_editor_changes_hero_and_publishes(page, editor_shop, host_url):
    sf, editor = editor_shop
    page.goto(host_url(sf, "/"))
    expect(page.get_by_role("heading", name="Spring collection is here")).to_be_visible()

    page.goto(host_url(sf, "/admin/login/"))
    page.get_by_label(re.compile("e-?mail", re.I)).fill(editor.email)
    page.get_by_label(re.compile("password", re.I)).fill(factories.PASSWORD)
    page.get_by_role("button", name=re.compile("sign in|log in", re.I)).click()
    page.wait_for_url(re.compile("/admin/$"))

    page.goto(host_url(sf, f"/admin/pages/{sf.root_page.pk}/edit/"))
    heading = page.get_by_label(re.compile("^heading", re.I)).first
    expect(heading).to_have_value("Spring collection is here")
    heading.fill("Autumn restock: 300 new shades")
    page.get_by_role("button", name=re.compile("more actions", re.I)).click()
    page.get_by_role("button", name=re.compile("^publish$", re.I)).click()
    expect(page.get_by_text(re.compile("has been published", re.I)).first).to_be_visible()

    page.goto(host_url(sf, "/"))
    expect(page.get_by_role("heading", name="Autumn restock: 300 new shades")).to_be_visible()
    expect(page.get_by_text("Spring collection is here")).to_have_count(0)
