"""The plugin's API, mounted by Pipit at /api/v1/p/quick_order/ (namespace "api:quick_order")."""

from django.urls import path

from . import api

urlpatterns = [
    path("match/", api.MatchView.as_view(), name="match"),
    path("add/", api.AddView.as_view(), name="add"),
]
