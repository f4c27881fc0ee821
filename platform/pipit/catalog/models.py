"""The catalog's search document.

Oscar's ``Product`` is not ``Indexed`` and Pipit does not fork the catalogue app, so each
browsable product gets one denormalized row here that the search backend (database or
Elasticsearch, see ``WAGTAILSEARCH_BACKENDS``) indexes. Rows are rebuilt by
:mod:`pipit.catalog.tasks` when a product, its offers or its attributes change.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.search import index


class ProductSearchDocument(index.Indexed, models.Model):
    # The product's id is the document's id, so search hits are product ids without a join.
    product = models.OneToOneField(
        "catalogue.Product",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_document",
        verbose_name=_("product"),
    )
    title = models.CharField(_("title"), max_length=255)
    codes = models.TextField(
        _("codes"), blank=True, help_text=_("SKUs and UPCs of the product and its variants.")
    )
    brand = models.CharField(_("brand"), max_length=255, blank=True)
    attributes = models.TextField(_("attribute values"), blank=True)
    categories = models.TextField(_("category names"), blank=True)
    description = models.TextField(_("description"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    search_fields = [
        index.SearchField("title", boost=4),
        index.AutocompleteField("title"),
        index.SearchField("codes", boost=5),
        index.AutocompleteField("codes"),
        index.SearchField("brand", boost=2),
        index.SearchField("attributes"),
        index.SearchField("categories"),
        index.SearchField("description"),
        # The storefronts that sell the product: a search is narrowed to one storefront before
        # the backend ranks and cuts the hits, so a small storefront's matches are never crowded
        # out by other storefronts' products.
        index.RelatedFields("storefront_links", [index.FilterField("storefront")]),
    ]
    # pipit.catalog.search writes the index itself, in bulk, from the Celery task that builds the
    # rows; modelsearch's own per-save signal would index each row a second time.
    search_auto_update = False

    class Meta:
        verbose_name = _("product search document")
        verbose_name_plural = _("product search documents")

    def __str__(self) -> str:
        return self.title


class SearchDocumentStorefront(models.Model):
    """A storefront that sells the document's product (its categories and partners), kept by
    :func:`pipit.catalog.search.update_documents` and refreshed when a storefront's catalog
    scope changes."""

    document = models.ForeignKey(
        ProductSearchDocument,
        on_delete=models.CASCADE,
        related_name="storefront_links",
        verbose_name=_("search document"),
    )
    storefront = models.ForeignKey(
        "tenancy.Storefront",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("storefront"),
    )

    class Meta:
        verbose_name = _("storefront of a search document")
        verbose_name_plural = _("storefronts of search documents")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "storefront"], name="catalog_search_document_storefront"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document_id} @ {self.storefront_id}"
