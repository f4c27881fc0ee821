"""What a product's search document holds: the words a buyer searches by."""

import pytest

from pipit.catalog.models import ProductSearchDocument
from pipit.catalog.search import rebuild_all, update_documents
from pipit.testing import factories

pytestmark = pytest.mark.django_db


def test_document_carries_variant_codes_brand_attributes_and_category_path(storefront):
    drills = factories.category(storefront, "Power tools", "Drills")
    parent = factories.parent_product(
        storefront, "SDS bit", [{"sku": "SDS-6"}, {"sku": "SDS-8"}], categories=[drills]
    )
    factories.attribute_value(parent, "brand", "Bosch", option=True)
    for child, size in zip(parent.children.order_by("pk"), ["6 mm", "8 mm"], strict=True):
        factories.attribute_value(child, "diameter", size)
    parent.description = "<p>For <b>concrete</b></p>"
    parent.save()
    update_documents([parent.children.first().pk])  # a variant id updates its parent's document
    document = ProductSearchDocument.objects.get(product=parent)
    assert document.title == "SDS bit" and document.brand == "Bosch"
    assert {"SDS-6", "SDS-8"} <= set(document.codes.split())
    assert "6 mm" in document.attributes and "8 mm" in document.attributes
    assert document.categories == "Alpha catalog Power tools Drills"
    assert document.description == "For concrete"
    assert not ProductSearchDocument.objects.filter(product__parent=parent).exists()


def test_rebuild_drops_documents_of_products_no_longer_browsable(storefront):
    kept = factories.product(storefront, "Kept")
    hidden = factories.product(storefront, "Hidden")
    rebuild_all()
    hidden.is_public = False
    hidden.save()
    rebuild_all()
    assert list(ProductSearchDocument.objects.values_list("product", flat=True)) == [kept.pk]
