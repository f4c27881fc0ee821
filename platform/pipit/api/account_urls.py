"""Mounted at /shop/accounts/api-tokens/ (see :mod:`pipit.shop.apps`)."""

from django.urls import path

from .account_views import ApiTokenView

app_name = "api-tokens"

urlpatterns = [
    path("", ApiTokenView.as_view(), name="index"),
]
