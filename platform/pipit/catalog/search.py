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

from pipit.oscar_apps.partner.models import StockRecord
from pipit.tenancy.models import Storefront

from .models import ProductSearchDocument, SearchDocumentStorefront
from .queries import attribute_values_prefetch, products_for_storefront

logger = logging.getLogger(__name__)

#: Full-text hits considered per query. Exact SKU/UPC matches come on top of these; past this
#: many hits a buyer narrows the query or the facets rather than paging on.
MAX_TEXT_MATCHES = 1000
MAX_QUERY_LENGTH = 200
BRAND_CODE = "brand"
CHUNK_SIZE = 500
_WORD = re.compile(r"\w+")


# -- documents ------------------------------------------------------------------------------------


def _products_for_documents(product_ids: Iterable[int]) -> QuerySet[Product]:
    values = attribute_values_prefetch()
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
        codes=" ".join(dict.fromkeys(word for code in codes if code for word in _code_words(code))),
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


class _Scopes:
    """Every storefront's partners and category roots, read once per rebuild (two queries)."""

    def __init__(self) -> None:
        self.partners: dict[int, set[int]] = {}
        self.paths: dict[int, list[str]] = {}
        links = Storefront.warehouses.through.objects.values_list(
            "storefront_id", "warehouse__partner_id"
        )
        for storefront_id, partner_id in links:
            self.partners.setdefault(storefront_id, set()).add(partner_id)
        roots = Storefront.categories.through.objects.values_list("storefront_id", "category__path")
        for storefront_id, path in roots:
            self.paths.setdefault(storefront_id, []).append(path)

    def links(self, documents: list[ProductSearchDocument]) -> list[SearchDocumentStorefront]:
        """The storefronts selling each document's product, by the same rule as
        :func:`~pipit.catalog.queries.products_for_storefront` (one query for the offers)."""
        ids = [d.pk for d in documents]
        offers = (
            StockRecord.objects.filter(Q(product_id__in=ids) | Q(product__parent_id__in=ids))
            .annotate(top_id=Coalesce("product__parent_id", "product_id"))
            .values_list("top_id", "partner_id")
            .distinct()
        )
        partners: dict[int, set[int]] = {}
        for top_id, partner_id in offers:
            partners.setdefault(top_id, set()).add(partner_id)
        links = []
        for document in documents:
            sold_by = partners.get(document.pk, set())
            paths = [c.path for c in document.product.categories.all()]  # prefetched
            found = []
            for storefront_id, roots in self.paths.items():
                if not sold_by & self.partners.get(storefront_id, set()):
                    continue
                if any(path.startswith(tuple(roots)) for path in paths):
                    found.append(
                        SearchDocumentStorefront(document=document, storefront_id=storefront_id)
                    )
            # Backends that index the relation (Elasticsearch) read it from here, not per row.
            document._prefetched_objects_cache = {"storefront_links": found}
            links.extend(found)
        return links


def update_documents(product_ids: Iterable[int]) -> int:
    """Rebuild the documents (and index entries) of these products; any variant id counts as its
    parent's. Products that are gone or no longer browsable lose their document.

    Returns the number of documents written.
    """
    ids = sorted(_top_level_ids(product_ids))
    if not ids:
        return 0
    category_names = dict(Category.objects.values_list("path", "name"))
    scopes = _Scopes()
    written = 0
    for chunk in _chunks(ids):
        documents = [build_document(p, category_names) for p in _products_for_documents(chunk)]
        links = scopes.links(documents)
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
            SearchDocumentStorefront.objects.filter(document__in=chunk).delete()
            SearchDocumentStorefront.objects.bulk_create(links)
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


def refresh_storefront_scope(storefront_id: int) -> int:
    """A storefront's categories or warehouses changed: rebuild the documents of the products it
    started or stopped selling, so that searches there find exactly its products.

    Returns the number of documents rebuilt.
    """
    storefront = Storefront.objects.filter(pk=storefront_id).first()
    if storefront is None:
        return 0  # its links went with it
    sold = set(
        products_for_storefront(storefront)
        .filter(search_document__isnull=False)
        .values_list("pk", flat=True)
    )
    linked = set(
        SearchDocumentStorefront.objects.filter(storefront_id=storefront_id).values_list(
            "document_id", flat=True
        )
    )
    return update_documents(sold ^ linked)


def schedule_scope_refresh(storefront_ids: Iterable[int]) -> None:
    """Queue :func:`refresh_storefront_scope` for these storefronts once the transaction
    commits."""
    ids = sorted({pk for pk in storefront_ids if pk})
    if not ids:
        return

    def send() -> None:
        from .tasks import refresh_storefront_search_scope

        for storefront_id in ids:
            refresh_storefront_search_scope.delay(storefront_id)

    transaction.on_commit(send)


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


def _code_words(code: str) -> list[str]:
    """A code as written plus its parts: "DDF-2000" → "DDF-2000", "DDF", "2000".

    PostgreSQL's text parser reads "DDF-2000" as "ddf" and the number "-2000", so a buyer typing
    "DDF 2000" would not find it; the separate parts make every backend match the same way.
    """
    parts = [p for p in re.split(r"[\s\-_/.]+", code) if p]
    return [code, *parts] if len(parts) > 1 else [code]


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


def _text_matches(storefront: Storefront, query: str) -> list[int]:
    # Words only: quotes, brackets and operators are syntax to some backends (a lone '"' is an
    # SQLite FTS error), and codes like "BIT-8" are matched exactly by _exact_code_matches.
    query = " ".join(_WORD.findall(query))
    if not query:
        return []
    backend = get_search_backend()
    # Narrowed to the storefront BEFORE the backend ranks and cuts at MAX_TEXT_MATCHES.
    documents = ProductSearchDocument.objects.filter(
        storefront_links__storefront=storefront.pk
    ).only("pk")
    hits = [d.pk for d in backend.search(query, documents, operator="and")[:MAX_TEXT_MATCHES]]
    if not hits:
        # Nothing matched whole words: try the words as prefixes ("dril" finds "drill").
        hits = [
            d.pk for d in backend.autocomplete(query, documents, operator="and")[:MAX_TEXT_MATCHES]
        ]
    return hits


def search_ranking(storefront: Storefront, query: str) -> list[int]:
    """Ids of the storefront's products matching ``query``, best first: exact SKU/UPC matches,
    then full-text hits in the backend's relevance order. An id's position is its rank."""
    query = normalize_query(query)
    if not query:
        return []
    return list(
        dict.fromkeys([*_exact_code_matches(storefront, query), *_text_matches(storefront, query)])
    )


def with_search_rank(
    qs: QuerySet[Product], storefront: Storefront, query: str
) -> QuerySet[Product]:
    """The products of ``qs`` matching ``query``, annotated with ``search_rank`` (0 is the best
    match). ``qs`` keeps its filters and prefetches; order by ``("search_rank", "pk")`` for
    relevance."""
    ranked = search_ranking(storefront, query)
    if not ranked:
        return qs.none().annotate(search_rank=Value(0, output_field=IntegerField()))
    rank = Case(
        *[When(pk=pk, then=Value(position)) for position, pk in enumerate(ranked)],
        output_field=IntegerField(),
    )
    # pk__in keeps the storefront's scope exact even where a document's storefronts lag behind.
    return qs.filter(pk__in=ranked).annotate(search_rank=rank)


def search_products(storefront: Storefront, query: str) -> QuerySet[Product]:
    """Products of ``storefront`` matching ``query``, best first (see :func:`search_ranking`).

    The queryset is annotated with ``search_rank`` and ordered by it; it can be filtered,
    re-ordered and prefetched further (e.g. with :func:`pipit.catalog.queries.with_purchase_info`).
    """
    scope = products_for_storefront(storefront)
    return with_search_rank(scope, storefront, query).order_by("search_rank", "pk")
