"""The plugin's API, mounted by Pipit at /api/v1/p/reorder/ (namespace "api:reorder")."""

from django.urls import re_path

from .api import RepeatOrderAPIView

urlpatterns = [
    re_path(
        r"^orders/(?P<number>[A-Za-z0-9_.-]{1,128})/$", RepeatOrderAPIView.as_view(), name="order"
    ),
]
