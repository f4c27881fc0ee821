"""Admin choosers for Oscar products and categories, scoped to the editor's storefronts.

The viewsets live here rather than in ``wagtail_hooks.py`` because the StreamField blocks in
:mod:`pipit.cms.blocks` are built from them at import time (``ChooserViewSet.get_block_class``).
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from oscar.apps.catalogue.models import Category, Product
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet

from pipit.catalog.queries import categories_for_staff, products_for_staff


class TitleSearchForm(BaseFilterForm):
    """Oscar's models are not in Wagtail's search index; a plain ``icontains`` search is enough
    for a chooser."""

    q = forms.CharField(
        label=_("Search term"),
        widget=forms.TextInput(attrs={"placeholder": _("Search")}),
        required=False,
    )
    search_fields: tuple[str, ...] = ()

    def filter(self, objects):
        query = self.cleaned_data.get("q")
        if query:
            match = Q()
            for field in self.search_fields:
                match |= Q(**{f"{field}__icontains": query})
            objects = objects.filter(match)
            self.is_searching = True
            self.search_query = query
        return objects


class ProductSearchForm(TitleSearchForm):
    search_fields = ("title", "upc", "stockrecords__partner_sku")

    def filter(self, objects):
        return super().filter(objects).distinct()


class CategorySearchForm(TitleSearchForm):
    search_fields = ("name",)


class ScopedListMixin:
    """Lists only what :attr:`scope` (a function of the user) allows for the requesting editor."""

    scope = staticmethod(lambda user: None)  # set by subclasses

    def get_object_list(self):
        return self.scope(self.request.user)


class ProductListMixin(ScopedListMixin):
    scope = staticmethod(products_for_staff)
    filter_form_class = ProductSearchForm
    ordering = ["title", "pk"]

    @property
    def columns(self):
        return [
            self.title_column,
            Column("upc", label=_("UPC")),
        ]


class CategoryListMixin(ScopedListMixin):
    scope = staticmethod(categories_for_staff)
    filter_form_class = CategorySearchForm
    ordering = ["path"]


class ScopedChosenView(chooser_views.ChosenView):
    """Accepts only an object the editor may choose; anything else is "does not exist" (404)."""

    scope = staticmethod(lambda user: None)  # set by subclasses

    def get_object(self, pk):
        return self.scope(self.request.user).get(pk=pk)


class ProductChooseView(ProductListMixin, chooser_views.ChooseView):
    pass


class ProductChooseResultsView(ProductListMixin, chooser_views.ChooseResultsView):
    pass


class ProductChosenView(ScopedChosenView):
    scope = staticmethod(products_for_staff)


class ProductChosenMultipleView(chooser_views.ChosenMultipleView):
    def get_objects(self, pks):
        return products_for_staff(self.request.user).filter(pk__in=pks)


class CategoryChooseView(CategoryListMixin, chooser_views.ChooseView):
    pass


class CategoryChooseResultsView(CategoryListMixin, chooser_views.ChooseResultsView):
    pass


class CategoryChosenView(ScopedChosenView):
    scope = staticmethod(categories_for_staff)


class ProductChooserViewSet(ChooserViewSet):
    model = Product
    icon = "pick"
    choose_one_text = _("Choose a product")
    choose_another_text = _("Choose another product")
    edit_item_text = _("Edit product")
    choose_view_class = ProductChooseView
    choose_results_view_class = ProductChooseResultsView
    chosen_view_class = ProductChosenView
    chosen_multiple_view_class = ProductChosenMultipleView
    # Product foreign keys elsewhere (Oscar's own models) keep their default widgets.
    register_widget = False


class CategoryChosenMultipleView(chooser_views.ChosenMultipleView):
    def get_objects(self, pks):
        return categories_for_staff(self.request.user).filter(pk__in=pks)


class CategoryChooserViewSet(ChooserViewSet):
    model = Category
    icon = "folder-open-inverse"
    choose_one_text = _("Choose a category")
    choose_another_text = _("Choose another category")
    edit_item_text = _("Edit category")
    choose_view_class = CategoryChooseView
    choose_results_view_class = CategoryChooseResultsView
    chosen_view_class = CategoryChosenView
    chosen_multiple_view_class = CategoryChosenMultipleView
    register_widget = False


product_chooser_viewset = ProductChooserViewSet(
    "pipit_product_chooser", url_prefix="pipit/choose-product"
)
category_chooser_viewset = CategoryChooserViewSet(
    "pipit_category_chooser", url_prefix="pipit/choose-category"
)
