"""Storefront catalog pages: index, category, product and search.

Oscar's own catalogue views browse through Haystack and cost 130+ queries a page; these read
only :func:`pipit.catalog.queries.products_for_storefront` and price through the request's
strategy, in a number of queries that does not depend on how many products a page shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.db.models.functions import Substr
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from oscar.apps.basket.forms import AddToBasketForm
from oscar.apps.catalogue.models import Category, Option, Product, ProductCategory

from .listing import Listing
from .listing_cache import TIMEOUT as LISTING_TIMEOUT
from .listing_cache import listing_key
from .queries import (
    attribute_values_prefetch,
    categories_for_storefront,
    products_for_storefront,
    products_in_category,
    public_variants,
    purchase_info,
    stockrecords_prefetch,
)
from .search import normalize_query, search_products

PAGE_SIZE = 24


@dataclass
class Crumb:
    label: str
    url: str | None = None


def _category_trail(
    category: Category, storefront, ancestors: list[Category], *, current: bool = True
) -> list[Crumb]:
    """Breadcrumbs down to ``category``: only categories inside the storefront's scope show."""
    scope = tuple(storefront.category_paths)
    # A storefront with a single root category shows that root as "Catalog" (the index page).
    single_root = scope[0] if len(scope) == 1 else None
    crumbs = [Crumb(_("Catalog"), reverse("catalogue:index"))]
    slugs: list[str] = []
    for node in [*ancestors, category]:
        slugs.append(node.slug)
        if node.path == single_root and not (current and node is category):
            continue
        if node.path.startswith(scope):
            url = reverse(
                "catalogue:category", kwargs={"category_slug": "/".join(slugs), "pk": node.pk}
            )
            crumbs.append(Crumb(node.name, url))
    return crumbs


def _ancestors(category: Category) -> list[Category]:
    steplen = Category.steplen
    paths = [category.path[: d * steplen] for d in range(1, category.depth)]
    return list(Category.objects.filter(path__in=paths).order_by("depth")) if paths else []


def _category_and_ancestors(storefront, pk) -> tuple[Category | None, list[Category]]:
    """The storefront's public category ``pk`` and its ancestors, from the cache while the
    catalog is unchanged (see :mod:`~pipit.catalog.listing_cache`)."""
    key = listing_key(storefront, "category-page", str(pk))
    found = cache.get(key)
    if found is None:
        category = categories_for_storefront(storefront).filter(pk=pk).first()
        found = (category, _ancestors(category) if category is not None else [])
        cache.set(key, found, LISTING_TIMEOUT)
    return found


def _full_slug(category: Category, ancestors: list[Category]) -> str:
    return "/".join(node.slug for node in [*ancestors, category])


class ListingPageMixin:
    """Paginated, faceted product grid for a storefront-scoped base queryset."""

    default_sort = "title"
    sorts: tuple[str, ...] = ("title", "-title", "price", "-price")

    def get_base_queryset(self):
        return products_for_storefront(self.request.storefront)

    def listing_cache_as(self) -> str | None:
        """What the listing's products are, for the shared listing cache (see
        :class:`~pipit.catalog.listing.Listing`); None: read on every request (search results
        follow the search index, which catches up with the catalog on its own)."""
        return None

    def listing_context(self, base) -> dict:
        request = self.request
        listing = Listing(
            request.storefront,
            request.strategy,
            base,
            request.GET,
            default_sort=self.default_sort,
            sorts=self.sorts,
            cache_as=self.listing_cache_as(),
        )
        page, products = listing.page(request.GET.get("page"), PAGE_SIZE)
        return {
            "listing": listing,
            "facets": listing.facets,
            "in_stock_count": listing.in_stock_count(),
            "page_obj": page,
            "paginator": page.paginator,
            "cards": listing.cards(products),
            "page_links": _page_links(page, listing),
            "prev_url": listing.page_url(page.number - 1) if page.has_previous() else None,
            "next_url": listing.page_url(page.number + 1) if page.has_next() else None,
        }


def _page_links(page, listing: Listing) -> list[tuple[int | None, str | None]]:
    """Page numbers around the current one, with gaps (``None``) for elided ranges."""
    links: list[tuple[int | None, str | None]] = []
    for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
        if isinstance(number, int):
            links.append((number, listing.page_url(number)))
        else:
            links.append((None, None))
    return links


def _subcategories(parent_path: str | None, categories, base, parent_slug: str) -> list[dict]:
    """Child categories with the number of storefront products in each (one query)."""
    categories = list(categories)
    if not categories:
        return []
    depth = categories[0].depth
    length = depth * Category.steplen
    counts = dict(
        ProductCategory.objects.filter(product__in=base.values("pk"))
        .filter(category__depth__gte=depth, category__is_public=True)
        .filter(category__path__startswith=parent_path or "")
        .annotate(prefix=Substr("category__path", 1, length))
        .values("prefix")
        .annotate(n=Count("product", distinct=True))
        .values_list("prefix", "n")
    )
    items = []
    for category in categories:
        slug = f"{parent_slug}/{category.slug}" if parent_slug else category.slug
        url = reverse("catalogue:category", kwargs={"category_slug": slug, "pk": category.pk})
        items.append({"category": category, "url": url, "count": counts.get(category.path, 0)})
    return [item for item in items if item["count"]]


class CatalogIndexView(ListingPageMixin, TemplateView):
    template_name = "catalog/index.html"

    def listing_cache_as(self) -> str:
        return "index"

    def get_context_data(self, **kwargs):
        sf = self.request.storefront
        base = self.get_base_queryset()
        tops = list(categories_for_storefront(sf).filter(pk__in=sf.categories.all()))
        # A storefront with one root category shows that root's children as its departments.
        if len(tops) == 1:
            root = tops[0]
            children = root.get_children().filter(is_public=True)
            subcategories = _subcategories(root.path, children, base, root.slug)
            # The root itself may sit under categories outside the scope: build its full slug.
            if root.depth > 1:
                prefix = _full_slug(root, _ancestors(root))
                for item in subcategories:
                    item["url"] = reverse(
                        "catalogue:category",
                        kwargs={
                            "category_slug": f"{prefix}/{item['category'].slug}",
                            "pk": item["category"].pk,
                        },
                    )
        else:
            subcategories = [
                {"category": c, "url": c.get_absolute_url(), "count": None} for c in tops
            ]
        context = super().get_context_data(**kwargs)
        context.update(self.listing_context(base))
        context.update(
            {
                "page_title": _("Catalog"),
                "breadcrumbs": [Crumb(_("Catalog"))],
                "subcategories": subcategories,
            }
        )
        return context


class CategoryView(ListingPageMixin, TemplateView):
    template_name = "catalog/index.html"

    def get(self, request, *args, **kwargs):
        sf = request.storefront
        if sf is None:
            raise Http404
        # Outside the storefront's scope: 404, never another storefront's category.
        self.category, self.ancestors = _category_and_ancestors(sf, kwargs["pk"])
        if self.category is None:
            raise Http404(_("No such category in this catalog."))
        full_slug = _full_slug(self.category, self.ancestors)
        if kwargs["category_slug"] != full_slug:
            url = reverse(
                "catalogue:category", kwargs={"category_slug": full_slug, "pk": self.category.pk}
            )
            query = request.GET.urlencode()
            return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)
        self.full_slug = full_slug
        return super().get(request, *args, **kwargs)

    def get_base_queryset(self):
        return products_in_category(self.request.storefront, self.category)

    def listing_cache_as(self) -> str:
        return f"category:{self.category.pk}"

    def get_context_data(self, **kwargs):
        category = self.category
        base = self.get_base_queryset()
        children = category.get_children().filter(is_public=True)
        context = super().get_context_data(**kwargs)
        context.update(self.listing_context(base))
        context.update(
            {
                "category": category,
                "page_title": category.name,
                "breadcrumbs": _category_trail(category, self.request.storefront, self.ancestors),
                "subcategories": _subcategories(category.path, children, base, self.full_slug),
            }
        )
        context["breadcrumbs"][-1].url = None
        return context


class SearchView(ListingPageMixin, TemplateView):
    template_name = "catalog/search.html"
    default_sort = "relevance"
    sorts = ("relevance", "title", "-title", "price", "-price")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = normalize_query(self.request.GET.get("q", ""))
        context.update(
            {
                "query": query,
                "page_title": _("Search results for “%(q)s”") % {"q": query}
                if query
                else _("Search"),
                "breadcrumbs": [
                    Crumb(_("Catalog"), reverse("catalogue:index")),
                    Crumb(_("Search")),
                ],
            }
        )
        if query:
            context.update(self.listing_context(search_products(self.request.storefront, query)))
        return context


# -- product page ---------------------------------------------------------------------------------


@dataclass
class VariantRow:
    product: Product
    info: object
    sku: str
    values: list[str]
    levels: list

    @property
    def prices_hidden(self) -> bool:
        return getattr(self.info.price, "hidden", False)


def _product_queryset(storefront):
    values = attribute_values_prefetch()
    records = stockrecords_prefetch(storefront)
    children = Prefetch(
        "children",
        queryset=Product.objects.filter(is_public=True)
        .order_by("title", "pk")
        .prefetch_related(records, values),
        to_attr="_prefetched_public_children",
    )
    return (
        products_for_storefront(storefront)
        .select_related("product_class")
        .annotate(
            has_product_class_options=Exists(
                Option.objects.filter(productclass=OuterRef("product_class"))
            ),
            has_product_options=Exists(Option.objects.filter(product=OuterRef("pk"))),
        )
        .prefetch_related("images", "categories", values, records, children)
    )


def _natural(text: str) -> list[tuple[int, float, str]]:
    return [
        (0, float(part), "") if part[0].isdigit() else (1, 0.0, part.lower())
        for part in re.findall(r"\d+(?:\.\d+)?|\D+", text)
    ]


def _natural_key(child: Product, columns: dict[str, str]) -> list:
    """Variants in the order of their attribute values, numbers as numbers (6 mm before 10 mm)."""
    by_code = {v.attribute.code: v for v in child.attribute_values.all()}
    key: list = []
    for code in columns:
        key += _natural(str(by_code[code].value_as_text) if code in by_code else "")
        key.append((2, 0.0, ""))  # column separator: "6" + "110" must not read as "6110"
    return [*key, *_natural(child.get_title()), (3, float(child.pk), "")]


class ProductDetailView(TemplateView):
    template_name = "catalog/product.html"

    def get(self, request, *args, **kwargs):
        sf = request.storefront
        if sf is None:
            raise Http404
        product = _product_queryset(sf).filter(pk=kwargs["pk"]).first()
        if product is None:
            # A variant's URL (e.g. from a cart line) opens its parent's page.
            parent = (
                products_for_storefront(sf)
                .filter(children__pk=kwargs["pk"], children__is_public=True)
                .first()
            )
            if parent is None:
                raise Http404(_("No such product in this catalog."))
            return redirect(parent.get_absolute_url())
        if kwargs["product_slug"] != product.slug:
            return HttpResponsePermanentRedirect(product.get_absolute_url())
        self.product = product
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        product = self.product
        strategy = self.request.strategy
        sf = self.request.storefront
        strategy.prime([product, *public_variants(product)])
        info = purchase_info(strategy, product)
        attributes = sorted(product.attribute_values.all(), key=lambda v: str(v.attribute.name))

        variants: list[VariantRow] = []
        columns: dict[str, str] = {}
        children = product.get_public_children() if product.is_parent else []
        for child in children:
            for value in child.attribute_values.all():
                columns.setdefault(value.attribute.code, value.attribute.name)
        for child in sorted(children, key=lambda c: _natural_key(c, columns)):
            child_info = strategy.fetch_for_product(child)
            by_code = {v.attribute.code: v for v in child.attribute_values.all()}
            record = child_info.stockrecord
            variants.append(
                VariantRow(
                    product=child,
                    info=child_info,
                    sku=record.partner_sku if record else "",
                    values=[
                        str(by_code[code].value_as_text) if code in by_code else "—"
                        for code in columns
                    ],
                    levels=getattr(child_info.availability, "levels", []),
                )
            )

        category = next(
            (c for c in product.categories.all() if c.path.startswith(tuple(sf.category_paths))),
            None,
        )
        if category is not None:
            crumbs = _category_trail(category, sf, _ancestors(category), current=False)
        else:
            crumbs = [Crumb(_("Catalog"), reverse("catalogue:index"))]
        crumbs.append(Crumb(product.get_title()))

        option_form = None
        if product.has_options:
            option_form = AddToBasketForm(self.request.basket, product)

        record = info.stockrecord
        context.update(
            {
                "product": product,
                "info": info,
                "prices_hidden": getattr(info.price, "hidden", False),
                "sku": record.partner_sku if record else "",
                "levels": getattr(info.availability, "levels", []),
                "images": list(product.images.all()),
                "attributes": attributes,
                "variant_columns": list(columns.values()),
                "variants": variants,
                "breadcrumbs": crumbs,
                "option_fields": [
                    f for f in option_form or [] if f.name not in ("quantity", "child_id")
                ],
                "login_url": f"{reverse('customer:login')}?next={self.request.path}",
            }
        )
        return context
