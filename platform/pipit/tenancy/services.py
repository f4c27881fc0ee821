"""Creating and updating storefronts: used by the admin, the demo loader and the test kit."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    GroupSitePermission,
    Page,
    Site,
)

from .models import Storefront, StorefrontGroup
from .roles import COLLECTION_PERMISSIONS, MODEL_PERMISSIONS, PAGE_PERMISSIONS, SITE_PERMISSIONS

logger = logging.getLogger(__name__)


@dataclass
class StorefrontSpec:
    code: str
    name: str
    hostname: str
    port: int = 80
    language: str = "ru"
    currency: str = "RUB"
    theme: str = "base"
    show_prices_to_anonymous: bool = False
    vat_rate: str = "20"
    extra_hostnames: list[str] = field(default_factory=list)
    order_email: str = ""
    home_title: str = ""


def _permission(dotted: str) -> Permission | None:
    app_label, codename = dotted.split(".", 1)
    try:
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)
    except Permission.DoesNotExist:
        logger.warning("Permission %s does not exist; skipped", dotted)
        return None


def _ensure_root_page() -> Page:
    root = Page.get_first_root_node()
    if root is None:  # only in a database built without Wagtail's migrations (tests)
        from django.conf import settings
        from wagtail.coreutils import get_supported_content_language_variant
        from wagtail.models import Locale

        Locale.objects.get_or_create(
            language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
        )
        root = Page.add_root(instance=Page(title="Root", slug="root"))
    return root


@transaction.atomic
def provision_storefront(spec: StorefrontSpec) -> Storefront:
    """Create or update a storefront with its site, home page, collection and staff groups.

    Idempotent: running it again with the same code updates the storefront in place.
    """
    from pipit.cms.models import HomePage

    storefront = Storefront.objects.select_related("site").filter(code=spec.code).first()
    if storefront is None:
        root = _ensure_root_page()
        home = root.add_child(
            instance=HomePage(title=spec.home_title or spec.name, slug=f"{spec.code}-home")
        )
        site = Site.objects.create(
            hostname=spec.hostname, port=spec.port, root_page=home, site_name=spec.name
        )
        storefront = Storefront(site=site, code=spec.code)
    else:
        site = storefront.site
        site.hostname, site.port, site.site_name = spec.hostname, spec.port, spec.name
        site.save()

    storefront.name = spec.name
    storefront.language = spec.language
    storefront.currency = spec.currency
    storefront.theme = spec.theme
    storefront.show_prices_to_anonymous = spec.show_prices_to_anonymous
    storefront.vat_rate = spec.vat_rate
    storefront.extra_hostnames = "\n".join(spec.extra_hostnames)
    storefront.order_email = spec.order_email
    storefront.save()
    ensure_staff_groups(storefront)
    return storefront


def storefront_collection(storefront: Storefront) -> Collection:
    """The storefront's own image and document collection (its staff get permissions on it).

    Linked by key, not by name: two storefronts with the same name never share images, and a
    renamed storefront keeps its collection.
    """
    if storefront.collection_id:
        return storefront.collection
    root = Collection.get_first_root_node() or Collection.add_root(name="Root")
    collection = root.add_child(instance=Collection(name=f"{storefront.name} ({storefront.code})"))
    storefront.collection = collection
    storefront.save(update_fields=["collection"])
    return collection


def ensure_staff_groups(storefront: Storefront) -> dict[str, Group]:
    """One Django group per role, with its model, page and collection permissions."""
    collection = storefront_collection(storefront)
    access_admin = _permission("wagtailadmin.access_admin")
    groups: dict[str, Group] = {}
    for role, label in StorefrontGroup.Role.choices:
        link = StorefrontGroup.objects.filter(storefront=storefront, role=role).first()
        name = f"{storefront.name} · {label}"
        if Group.objects.filter(name=name).exclude(storefront_role__storefront=storefront).exists():
            # Another storefront (or a hand-made group) has this name: never borrow its group.
            name = f"{storefront.name} ({storefront.code}) · {label}"
        if link is None:
            group, _ = Group.objects.get_or_create(name=name)
            StorefrontGroup.objects.create(storefront=storefront, group=group, role=role)
        else:
            group = link.group
            if group.name != name:
                group.name = name
                group.save(update_fields=["name"])
        perms = [p for p in map(_permission, MODEL_PERMISSIONS[role]) if p]
        group.permissions.set([access_admin, *perms] if access_admin else perms)
        for codename in PAGE_PERMISSIONS[role]:
            perm = _permission(f"wagtailcore.{codename}")
            if perm:
                GroupPagePermission.objects.get_or_create(
                    group=group, page=storefront.site.root_page, permission=perm
                )
        for dotted in COLLECTION_PERMISSIONS[role]:
            perm = _permission(dotted)
            if perm:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=collection, permission=perm
                )
        for dotted in SITE_PERMISSIONS[role]:
            perm = _permission(dotted)
            if perm:
                GroupSitePermission.objects.get_or_create(
                    group=group, site=storefront.site, permission=perm
                )
        groups[role] = group
    return groups
