"""Provisioning a storefront: its site, home page, staff groups and own image collection."""

import pytest
from wagtail.models import GroupCollectionPermission

from pipit.tenancy.models import StorefrontGroup
from pipit.tenancy.services import StorefrontSpec, provision_storefront

pytestmark = pytest.mark.django_db


def spec(code, name="Tools"):
    return StorefrontSpec(code=code, name=name, hostname=f"{code}.test")


def test_storefronts_with_the_same_name_never_share_images():
    first = provision_storefront(spec("tools-msk"))
    second = provision_storefront(spec("tools-spb"))
    assert first.collection_id and second.collection_id
    assert first.collection_id != second.collection_id
    editors = StorefrontGroup.objects.get(storefront=second, role="editor").group
    collections = set(
        GroupCollectionPermission.objects.filter(group=editors).values_list("collection", flat=True)
    )
    assert collections == {second.collection_id}


def test_provisioning_again_updates_in_place_and_keeps_the_collection():
    sf = provision_storefront(spec("tools"))
    again = provision_storefront(spec("tools", name="Tools & Fixings"))
    assert again.pk == sf.pk and again.collection_id == sf.collection_id
    assert again.site.site_name == "Tools & Fixings"
    assert StorefrontGroup.objects.filter(storefront=sf).count() == 4
