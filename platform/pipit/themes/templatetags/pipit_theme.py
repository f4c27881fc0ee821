"""Template tags for themes: ``{% load pipit_theme %}``.

- ``{% theme_static "css/theme.css" %}``: a static file of the storefront's theme, or of the
  nearest parent theme that has it.
- ``{% design_tokens as tokens %}``: the storefront's design tokens (``tokens.css`` is a ready
  ``:root{...}`` rule; ``tokens.logo_url``, ``tokens.tagline``).
- ``{% primary_categories as categories %}``: the storefront's top-level categories
  (``name``, ``url``) for the main menu.
- ``{% storefront_name %}``, ``{% cached_tokens_css %}``: for the 500 page, which has no context
  and must not query.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.contrib.staticfiles import finders
from django.templatetags.static import static

from pipit.tenancy.context import current_storefront
from pipit.themes import navigation, tokens
from pipit.themes.registry import BASE_THEME, get_theme

register = template.Library()


def _storefront(context):
    request = context.get("request")
    storefront = getattr(request, "storefront", None)
    return storefront if storefront is not None else current_storefront()


@register.simple_tag
def theme_static(path: str) -> str:
    """URL of a theme's static file, falling back through the parent themes."""
    storefront = current_storefront()
    return static(_resolve(storefront.theme if storefront else BASE_THEME, path))


@lru_cache(maxsize=1024)
def _resolve(theme_name: str, path: str) -> str:
    theme = get_theme(theme_name)
    for t in theme.chain() if theme else []:
        candidate = f"themes/{t.name}/{path}"
        if finders.find(candidate):
            return candidate
    return f"themes/{BASE_THEME}/{path}"


@register.simple_tag(takes_context=True)
def design_tokens(context) -> tokens.ThemeTokens:
    storefront = _storefront(context)
    if storefront is None:
        return tokens.default_tokens()
    return tokens.tokens_for_site(storefront.site)


@register.simple_tag(takes_context=True)
def primary_categories(context) -> list[navigation.NavItem]:
    storefront = _storefront(context)
    return navigation.primary_categories(storefront) if storefront is not None else []


@register.simple_tag
def cached_tokens_css() -> str:
    """The storefront's token CSS only if already cached: the 500 page must not query."""
    storefront = current_storefront()
    return tokens.cached_css(storefront.site_id) if storefront is not None else ""


@register.simple_tag
def storefront_name() -> str:
    storefront = current_storefront()
    return storefront.name if storefront is not None else "Pipit"


@register.simple_tag(takes_context=True)
def buyer_company(context):
    """The signed-in buyer's active company on this storefront, or None (staff, other storefront,
    suspended company)."""
    from pipit.companies import access

    request = context.get("request")
    return access.buyer_company(getattr(request, "user", None), _storefront(context))
