"""Catalog search: the search documents and the storefront-scoped search itself.

One :class:`~pipit.catalog.models.ProductSearchDocument` per browsable product (a standalone or
parent product; a parent's document carries its variants' codes and attribute values) is what the
search backend indexes. :func:`search_products` is the one entry point the storefront pages and
the REST API use.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator

from django.db import transaction
from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils.html import strip_tags
from oscar.apps.catalogue.models import Category, Product, ProductAttributeValue
from wagtail.search.backends import get_search_backend, get_search_backends_with_name

from pipit.tenancy.models import Storefront

from .models import ProductSearchDocument
from .queries import products_for_storefront

logger = logging.getLogger(__name__)

#: Full-text hits considered per query. Exact SKU/UPC matches come on top of these; past this
#: many hits a buyer narrows the query or the facets rather than paging on.
MAX_TEXT_MATCHES = 1000
MAX_QUERY_LENGTH = 200
BRAND_CODE = "brand"
CHUNK_SIZE = 500
_WORD = re.compile(r"\w+")


# -- documents ------------------------------------------------------------------------------------


def _attribute_values_qs() -> QuerySet[ProductAttributeValue]:
    return ProductAttributeValue.objects.select_related(
        "attribute", "value_option"
    ).prefetch_related("value_multi_option")


def _products_for_documents(product_ids: Iterable[int]) -> QuerySet[Product]:
    values = Prefetch("attribute_values", queryset=_attribute_values_qs())
    return (
        Product.objects.browsable()
        .filter(pk__in=list(product_ids))
        .prefetch_related(
            values,
            "stockrecords",
            "categories",
            Prefetch(
                "children",
                queryset=Product.objects.public().prefetch_related(values, "stockrecords"),
            ),
        )
    )


def _value_text(value: ProductAttributeValue) -> str:
    try:
        return str(value.value_as_text or "")
    except Exception:  # a broken value (e.g. a missing file) must not stop indexing the product
        return ""


def build_document(product: Product, category_names: dict[str, str]) -> ProductSearchDocument:
    """The search document of a browsable product (prefetched as ``_products_for_documents``).

    ``category_names`` maps every category path to its name, so ancestors cost no queries.
    """
    family = [product, *product.children.all()]
    codes: list[str] = []
    brand = ""
    attributes: list[str] = []
    for item in family:
        codes.append(item.upc or "")
        codes.extend(record.partner_sku for record in item.stockrecords.all())
        for value in item.attribute_values.all():
            text = _value_text(value)
            if value.attribute.code == BRAND_CODE:
                brand = brand or text
            else:
                attributes.append(text)
        if item.is_child and item.title:
            attributes.append(item.title)
    categories: list[str] = []
    for cat in product.categories.all():
        steplen = Category.steplen
        for depth in range(1, len(cat.path) // steplen + 1):
            name = category_names.get(cat.path[: depth * steplen])
            if name and name not in categories:
                categories.append(name)
    return ProductSearchDocument(
        product=product,
        title=product.title[:255],
        codes=" ".join(dict.fromkeys(code for code in codes if code)),
        brand=brand[:255],
        attributes=" ".join(dict.fromkeys(a for a in attributes if a)),
        categories=" ".join(categories),
        description=strip_tags(product.description or ""),
    )


def _top_level_ids(product_ids: Iterable[int]) -> set[int]:
    """Variants are searched through their parent: map child ids to their parents' ids."""
    ids = set(product_ids)
    if not ids:
        return ids
    rows = Product.objects.filter(pk__in=ids).values_list("pk", "parent_id")
    parents = {parent for _pk, parent in rows if parent}
    return (ids - {pk for pk, parent in rows if parent}) | parents


def _chunks(items: list[int], size: int = CHUNK_SIZE) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def index_documents(documents: list[ProductSearchDocument]) -> None:
    for name, backend in get_search_backends_with_name(with_auto_update=True):
        try:
            backend.add_bulk(ProductSearchDocument, documents)
        except Exception:  # same policy as modelsearch: a search outage must not fail the write
            logger.exception("Could not index %d products in backend %s", len(documents), name)


def unindex_documents(documents: Iterable[ProductSearchDocument]) -> None:
    for name, backend in get_search_backends_with_name(with_auto_update=True):
        for document in documents:
            try:
                backend.delete(document)
            except Exception:
                logger.exception("Could not remove product %s from backend %s", document.pk, name)


def update_documents(product_ids: Iterable[int]) -> int:
    """Rebuild the documents (and index entries) of these products; any variant id counts as its
    parent's. Products that are gone or no longer browsable lose their document.

    Returns the number of documents written.
    """
    ids = sorted(_top_level_ids(product_ids))
    category_names = dict(Category.objects.values_list("path", "name"))
    written = 0
    for chunk in _chunks(ids):
        documents = [build_document(p, category_names) for p in _products_for_documents(chunk)]
        with transaction.atomic():
            kept = {d.pk for d in documents}
            stale = list(ProductSearchDocument.objects.filter(pk__in=chunk).exclude(pk__in=kept))
            ProductSearchDocument.objects.filter(pk__in=[d.pk for d in stale]).delete()
            ProductSearchDocument.objects.bulk_create(
                documents,
                update_conflicts=True,
                unique_fields=["product"],
                update_fields=[
                    "title",
                    "codes",
                    "brand",
                    "attributes",
                    "categories",
                    "description",
                    "updated_at",
                ],
            )
        unindex_documents(stale)
        index_documents(documents)
        written += len(documents)
    return written


def rebuild_all() -> int:
    """Rebuild every product's search document and index entry; drop documents of products that
    are no longer browsable. Used by ``manage.py rebuild_catalog_search`` and the demo loader."""
    ids = list(Product.objects.browsable().order_by("pk").values_list("pk", flat=True))
    orphans = list(ProductSearchDocument.objects.exclude(product__in=ids))
    ProductSearchDocument.objects.filter(pk__in=[d.pk for d in orphans]).delete()
    unindex_documents(orphans)
    return update_documents(ids)


def schedule_update(product_ids: Iterable[int]) -> None:
    """Queue a document rebuild for these products once the current transaction commits.

    Ids saved in one transaction (an import touching thousands of rows) are gathered and sent as
    a few tasks, not one task per saved row.
    """
    ids = {pk for pk in product_ids if pk}
    if not ids:
        return
    connection = transaction.get_connection()
    pending: set[int] = connection.__dict__.setdefault("_pipit_search_pending", set())
    pending.update(ids)

    def flush() -> None:
        # Every registered callback flushes whatever is pending; later ones find nothing to do.
        batch = sorted(pending)
        pending.clear()
        if not batch:
            return
        from .tasks import update_search_documents

        for chunk in _chunks(batch):
            update_search_documents.delay(chunk)

    transaction.on_commit(flush)


# -- searching ------------------------------------------------------------------------------------


def normalize_query(query: str) -> str:
    return " ".join((query or "").split())[:MAX_QUERY_LENGTH]


def _exact_code_matches(storefront: Storefront, query: str) -> list[int]:
    """Products whose UPC, or SKU at one of the storefront's partners, is exactly the query."""
    match = Q(upc__iexact=query) | Q(
        stockrecords__partner_sku__iexact=query,
        stockrecords__partner_id__in=storefront.partner_ids,
    )
    rows = (
        Product.objects.filter(match)
        .annotate(top_id=Coalesce("parent_id", "pk"))
        .values_list("top_id", flat=True)
        .distinct()
    )
    return list(rows)


def _text_matches(query: str) -> list[int]:
    # Words only: quotes, brackets and operators are syntax to some backends (a lone '"' is an
    # SQLite FTS error), and codes like "BIT-8" are matched exactly by _exact_code_matches.
    query = " ".join(_WORD.findall(query))
    if not query:
        return []
    backend = get_search_backend()
    documents = ProductSearchDocument.objects.only("pk")
    hits = [d.pk for d in backend.search(query, documents, operator="and")[:MAX_TEXT_MATCHES]]
    if not hits:
        # Nothing matched whole words: try the words as prefixes ("dril" finds "drill").
        hits = [
            d.pk for d in backend.autocomplete(query, documents, operator="and")[:MAX_TEXT_MATCHES]
        ]
    return hits


def search_products(storefront: Storefront, query: str) -> QuerySet[Product]:
    """Products of ``storefront`` matching ``query``, best first.

    Exact SKU/UPC matches rank first, then full-text hits in the backend's relevance order. The
    queryset is annotated with ``search_rank`` and ordered by it; it can be filtered, re-ordered
    and prefetched further (e.g. with :func:`pipit.catalog.queries.with_purchase_info`).
    """
    scope = products_for_storefront(storefront)
    query = normalize_query(query)
    ranked = (
        list(dict.fromkeys([*_exact_code_matches(storefront, query), *_text_matches(query)]))
        if query
        else []
    )
    if not ranked:
        return scope.none().annotate(search_rank=Value(0, output_field=IntegerField()))
    rank = Case(
        *[When(pk=pk, then=Value(position)) for position, pk in enumerate(ranked)],
        output_field=IntegerField(),
    )
    return scope.filter(pk__in=ranked).annotate(search_rank=rank).order_by("search_rank", "pk")
