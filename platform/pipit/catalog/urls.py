"""Storefront catalogue URLs, named as Oscar's so ``Product.get_absolute_url`` and
``Category.get_absolute_url`` (and Oscar's templates) land here."""

from django.urls import path, re_path

from . import views

app_name = "catalogue"

urlpatterns = [
    path("", views.CatalogIndexView.as_view(), name="index"),
    re_path(
        r"^(?P<product_slug>[\w-]*)_(?P<pk>\d+)/$",
        views.ProductDetailView.as_view(),
        name="detail",
    ),
    re_path(
        r"^category/(?P<category_slug>[\w-]+(/[\w-]+)*)_(?P<pk>\d+)/$",
        views.CategoryView.as_view(),
        name="category",
    ),
]
