"""The buyer's pages, mounted by Pipit at /shop/p/saved_lists/ (namespace "saved_lists").

Pipit answers 404 for all of them on a storefront that has not switched the plugin on.
"""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("from-cart/", views.from_cart, name="from-cart"),
    path("from-order/<str:number>/", views.from_order, name="from-order"),
    path("add/<int:product_pk>/", views.add_product, name="add-product"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/add-item/", views.add_item, name="add-item"),
    path("<int:pk>/rename/", views.rename, name="rename"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/add-to-cart/", views.add_to_cart, name="add-to-cart"),
]
