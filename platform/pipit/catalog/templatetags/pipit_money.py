"""``{{ amount|currency:code }}`` as Oscar's ``currency_filters``, remembering what it formatted.

Babel parses the locale and looks the currency up on every call (about 0.1 ms each): a catalog
page formats three amounts per card. The result depends only on the amount, currency, language
and ``OSCAR_CURRENCY_FORMAT``, so it is kept per these (bounded).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel.numbers import format_currency
from django import template
from django.conf import settings
from django.utils.translation import get_language, to_locale

register = template.Library()


@lru_cache(maxsize=8192)
def _formatted(amount: str, currency: str, locale: str, options: tuple) -> str:
    return format_currency(Decimal(amount), currency=currency, locale=locale, **dict(options))


@register.filter(name="currency")
def currency(value, currency_format=None):
    """Format decimal value as currency (the output of Oscar's ``currency`` filter)."""
    if currency_format is None:
        currency_format = settings.OSCAR_DEFAULT_CURRENCY
    try:
        value = Decimal(value)
    except (TypeError, InvalidOperation):
        return ""
    locale = to_locale(get_language() or settings.LANGUAGE_CODE)
    configured = getattr(settings, "OSCAR_CURRENCY_FORMAT", None)
    if isinstance(configured, dict):
        options = dict(configured.get(currency_format, {}))
    else:
        options = {"format": configured}
    try:
        key = tuple(sorted(options.items()))
        hash(key)
    except TypeError:  # an unhashable option: format without remembering
        return format_currency(value, currency=currency_format, locale=locale, **options)
    return _formatted(str(value), currency_format, locale, key)
