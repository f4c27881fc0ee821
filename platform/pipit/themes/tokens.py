"""What the storefront chrome needs from :class:`DesignTokens`, cached per site.

Every storefront page reads the tokens, so they are cached instead of costing queries on each
request; saving the tokens (or the logo image) drops the cached copy, so an editor's change shows
on the very next request without a restart.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

from . import colors
from .models import FONT_STACKS, DesignTokens

CACHE_SECONDS = 3600
LOGO_FILTER = "height-96"  # shown at 48px high: sharp on high-density screens


@dataclass(frozen=True)
class ThemeTokens:
    css: SafeString  # a ``:root{...}`` rule with the CSS custom properties
    tagline: str = ""
    logo_url: str = ""
    logo_width: int = 0
    logo_height: int = 0


def cache_key(site_id: int) -> str:
    return f"pipit:themes:tokens:{site_id}"


def _color(value: str, fallback: str) -> str:
    try:
        return colors.normalize_hex(value)
    except ValueError:  # rows saved before validation existed must not break every page
        return fallback


def css_variables(tokens: DesignTokens) -> SafeString:
    """The tokens as CSS custom properties, plus colors derived from them for readability."""
    brand = _color(tokens.brand_color, "#1f4e79")
    accent = _color(tokens.accent_color, "#e07a1f")
    on_brand = _color(tokens.text_on_brand_color, colors.readable_on(brand))
    # Hover and secondary bars move away from the text color, so text on them stays readable.
    away_from_text = "#000000" if colors.relative_luminance(on_brand) > 0.5 else "#ffffff"
    brand_soft = colors.mix(brand, "#ffffff", 0.9)
    props = {
        "--brand": brand,
        "--on-brand": on_brand,
        "--brand-strong": colors.mix(brand, away_from_text, 0.18),
        "--brand-soft": brand_soft,
        # Links and headings sit on white or the soft tint: the brand color, darkened only if it
        # is too pale to read on the tint (which is never lighter than white).
        "--brand-ink": colors.readable_against(brand, brand_soft),
        "--accent": accent,
        "--on-accent": colors.readable_on(accent),
        "--accent-strong": colors.mix(accent, "#000000", 0.15),
        "--accent-ink": colors.readable_against(accent),
        "--font": FONT_STACKS.get(tokens.font, FONT_STACKS["system"]),
    }
    # Values are validated hex codes and fixed font stacks, never free text: safe inside <style>.
    return mark_safe(":root{" + ";".join(f"{k}:{v}" for k, v in props.items()) + "}")


def _build(site) -> ThemeTokens:
    tokens = DesignTokens.for_site(site)
    logo = {}
    if tokens.logo_id:
        try:
            rendition = tokens.logo.get_rendition(LOGO_FILTER)
        except Exception:  # a missing or broken file: show the storefront name instead
            rendition = None
        if rendition is not None:
            logo = {
                "logo_url": rendition.url,
                "logo_width": rendition.width,
                "logo_height": rendition.height,
            }
    return ThemeTokens(css=css_variables(tokens), tagline=tokens.tagline, **logo)


def tokens_for_site(site) -> ThemeTokens:
    key = cache_key(site.pk)
    cached = cache.get(key)
    if cached is None:
        cached = _build(site)
        cache.set(key, cached, CACHE_SECONDS)
    return cached


def cached_css(site_id: int) -> str:
    """The tokens' CSS if it is cached, else ``""``; never queries (for the 500 page)."""
    try:
        cached = cache.get(cache_key(site_id))
    except Exception:  # the cache server may be what failed
        return ""
    return cached.css if cached is not None else ""


def default_tokens() -> ThemeTokens:
    """Tokens for pages outside any storefront (the platform host)."""
    return ThemeTokens(css=css_variables(DesignTokens()))


def invalidate(site_id: int) -> None:
    cache.delete(cache_key(site_id))
