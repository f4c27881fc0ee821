"""The plugin's pages, mounted by Pipit at /shop/p/reorder/ (namespace "reorder")."""

from django.urls import re_path

from .views import RepeatOrderView

# Order numbers are short codes; anything else (slashes, NUL bytes) is not even looked up.
urlpatterns = [
    re_path(
        r"^orders/(?P<number>[A-Za-z0-9_.-]{1,128})/$", RepeatOrderView.as_view(), name="review"
    ),
]
