"""The plugin's pages, mounted by Pipit at /shop/p/quick_order/ (namespace "quick_order")."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.QuickOrderView.as_view(), name="index"),
    path("aliases/", views.AliasesView.as_view(), name="aliases"),
]
