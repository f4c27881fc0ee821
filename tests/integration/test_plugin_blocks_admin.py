"""Plugins add CMS blocks and admin screens that exist only where a storefront switched them on."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from wagtail import blocks

from pipit.cms.blocks import PageBodyBlock
from pipit.cms.models import HomePage
from pipit.plugins.admin import PluginMenuItem, PluginPermissionPolicy, plugin_storefront_ids
from pipit.plugins.base import Plugin
from pipit.plugins.models import PluginActivation
from pipit.plugins.registry import registry
from pipit.plugins.testing import enable_plugin, install_plugins
from pipit.tenancy.models import StorefrontGroup
from pipit.testing import factories

pytestmark = pytest.mark.django_db


class NoticeBlock(blocks.StructBlock):
    text = blocks.CharBlock()

    def render_basic(self, value, context=None):
        return f"<p class='notice'>Notice: {value['text']}</p>"


class BlockyPlugin(Plugin):
    id = "blocky"
    name = "Blocky"
    version = "1.0"

    def blocks(self):
        return {"notice": NoticeBlock(label="Notice")}


class BrokenBlocksPlugin(Plugin):
    id = "broken_blocks"
    name = "Broken"

    def blocks(self):
        raise RuntimeError("no blocks today")


@pytest.fixture
def blocky(monkeypatch):
    install_plugins(
        monkeypatch,
        {
            "blocky": f"{__name__}:BlockyPlugin",
            "broken_blocks": f"{__name__}:BrokenBlocksPlugin",
        },
    )
    yield
    registry.reload()


def _home_with_notice(storefront) -> HomePage:
    home = storefront.site.root_page.specific
    home.body = [("blocky_notice", {"text": "Order by 3 pm"}), ("rich_text", "<p>Welcome</p>")]
    home.save_revision().publish()
    return home


def test_a_plugin_block_is_offered_in_the_page_body_under_the_plugin_name(blocky, storefront):
    body = HomePage._meta.get_field("body").stream_block
    assert isinstance(body, PageBodyBlock)
    block = body.child_blocks["blocky_notice"]
    assert block.meta.group == "Blocky"
    assert "hero" in body.child_blocks  # Pipit's own blocks stay
    # A plugin whose blocks() raises is left out instead of breaking every page editor.
    assert not [name for name in body.child_blocks if name.startswith("broken_blocks")]


def test_the_block_renders_only_where_the_plugin_is_on(
    blocky, storefront, other_storefront, client_for
):
    enable_plugin(storefront, "blocky")
    _home_with_notice(storefront)
    _home_with_notice(other_storefront)

    on = client_for(storefront).get("/")
    off = client_for(other_storefront).get("/")

    assert "Notice: Order by 3 pm" in on.content.decode()
    assert "Notice: Order by 3 pm" not in off.content.decode()
    assert "Welcome" in off.content.decode()  # the rest of the page is untouched


def test_switching_off_keeps_the_block_in_the_page(blocky, storefront, client_for):
    enable_plugin(storefront, "blocky")
    home = _home_with_notice(storefront)
    enable_plugin(storefront, "blocky", enabled=False)
    assert "Notice" not in client_for(storefront).get("/").content.decode()
    home.refresh_from_db()
    assert [b.block_type for b in home.body] == ["blocky_notice", "rich_text"]
    enable_plugin(storefront, "blocky")
    assert "Notice: Order by 3 pm" in client_for(storefront).get("/").content.decode()


def test_plugin_blocks_stay_out_of_migrations(blocky):
    _name, path, args, _kwargs = HomePage._meta.get_field("body").deconstruct()
    assert path == "wagtail.fields.StreamField"
    assert "blocky_notice" not in [name for name, _index in args[0]]
    assert "hero" in [name for name, _index in args[0]]


# -- admin screens ---------------------------------------------------------------------------------


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_plugin_admin_scope_follows_role_and_switch(storefront, other_storefront):
    pricing = factories.staff(storefront, StorefrontGroup.Role.PRICING)
    editor = factories.staff(storefront, StorefrontGroup.Role.EDITOR, email="ed@alpha.test")
    other_pricing = factories.staff(other_storefront, StorefrontGroup.Role.PRICING)
    root = factories.superuser()
    roles = ("admin", "pricing")
    enable_plugin(storefront, "shipping_rules")

    def ids(user):
        user = type(user).objects.get(pk=user.pk)  # a fresh user object: the memo is per request
        return plugin_storefront_ids(user, "shipping_rules", roles)

    assert ids(pricing) == {storefront.pk}
    assert ids(editor) == set()  # wrong role
    assert ids(other_pricing) == set()  # their storefront has not switched it on
    assert ids(root) == {storefront.pk}  # superusers: only where it is on, too

    item = PluginMenuItem("Rules", "/admin/rules/", plugin_id="shipping_rules", roles=roles)
    assert item.is_shown(_request(type(pricing).objects.get(pk=pricing.pk)))
    assert not item.is_shown(_request(type(editor).objects.get(pk=editor.pk)))

    enable_plugin(storefront, "shipping_rules", enabled=False)
    assert ids(pricing) == set()
    assert not item.is_shown(_request(type(pricing).objects.get(pk=pricing.pk)))


def test_plugin_permission_policy_limits_rows_to_enabled_storefronts(storefront, other_storefront):
    enable_plugin(storefront, "shipping_rules")
    enable_plugin(other_storefront, "shipping_rules")
    pricing = factories.staff(storefront, StorefrontGroup.Role.PRICING)
    policy = PluginPermissionPolicy(PluginActivation, "shipping_rules", ("pricing",), "storefront")
    mine = PluginActivation.objects.get(storefront=storefront)
    theirs = PluginActivation.objects.get(storefront=other_storefront)

    assert policy.user_has_permission(pricing, "change")
    assert policy.user_has_permission_for_instance(pricing, "change", mine)
    assert not policy.user_has_permission_for_instance(pricing, "change", theirs)
    assert list(policy.instances_user_has_any_permission_for(pricing, ["change"])) == [mine]
    assert pricing in policy.users_with_any_permission(["change"])
