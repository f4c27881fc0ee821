"""The API, mounted by Pipit at /api/v1/p/saved_lists/ (namespace "api:saved_lists")."""

from django.urls import path

from . import api

urlpatterns = [
    path("lists/", api.ListsView.as_view(), name="lists"),
    path("lists/<int:pk>/", api.ListView.as_view(), name="list"),
    path("lists/<int:pk>/items/", api.ListItemsView.as_view(), name="items"),
    path("lists/<int:pk>/items/<int:item_pk>/", api.ListItemView.as_view(), name="item"),
    path("lists/<int:pk>/add-to-cart/", api.AddToCartView.as_view(), name="add-to-cart"),
]
