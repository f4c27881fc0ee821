from functools import cache

from django import template
from django.contrib.staticfiles import finders
from django.templatetags.static import static

from pipit.tenancy.context import current_storefront
from pipit.themes.registry import get_theme

register = template.Library()


@register.simple_tag
def theme_static(path: str) -> str:
    """URL of a theme's static file, falling back through the parent themes."""
    storefront = current_storefront()
    return static(_resolve(storefront.theme if storefront else "base", path))


@cache
def _resolve(theme_name: str, path: str) -> str:
    theme = get_theme(theme_name)
    for t in theme.chain() if theme else []:
        candidate = f"themes/{t.name}/{path}"
        if finders.find(candidate):
            return candidate
    return f"themes/base/{path}"
