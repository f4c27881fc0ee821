"""``{% card_fragments cards as fragments %}``: the HTML of a listing's product cards, from the cache.

A card (``catalog/_card.html`` and its includes) is about 2 ms of template rendering; a listing
page shows 24. Each card's HTML is kept in Django's cache under a key made of everything the card
shows (the product's title, url, image, SKU, brand, variant count and ``date_updated``; the
buyer's price figures, the stock figures and message) and everything its rendering depends on
(storefront, theme and the source of the card templates, language, URL prefix, the page's path
where a "log in to see prices" link points back to it). A buyer whose price or stock differs gets
another key: nothing is invalidated, a stale card is never looked up. The cards of a page are read
with one ``get_many`` and the missing ones rendered (as ``{% include %}`` would) and stored with
one ``set_many``.

The add-to-cart form's ``{% csrf_token %}`` differs per visitor and request: a card is rendered
with a placeholder token and the request's own hidden input replaces it in every card served.
"""

from __future__ import annotations

import hashlib

from django import template
from django.core.cache import cache
from django.template.defaulttags import CsrfTokenNode
from django.urls import get_script_prefix
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from pipit.pricing.strategy import WarehouseAvailability

register = template.Library()

CARD_TEMPLATE = "catalog/_card.html"
#: Every template the card renders (their source is part of the key: an edited or overridden
#: template never serves the old HTML).
CARD_TEMPLATES = (
    CARD_TEMPLATE,
    "catalog/_price.html",
    "catalog/_availability.html",
    "catalog/_add_to_cart.html",
)
#: Bump when Python code shaping a card's HTML changes (filters, thumbnails, card fields).
VERSION = 1
TIMEOUT = 600
#: Variables of the including template that the card templates read.
OUTER_NAMES = ("card_class", "heading", "id_prefix", "child", "option_fields")
_CSRF_SLOT = "pipit-card-csrf-slot-3c1f9a"
_CSRF_INPUT = f'<input type="hidden" name="csrfmiddlewaretoken" value="{_CSRF_SLOT}">'


def _shown(obj, name: str):
    """``obj.name`` as the template reads it (missing: None), as text for the key."""
    try:
        value = getattr(obj, name, None)
    except Exception as exc:  # the template would raise too: render, do not cache
        raise _Uncacheable from exc
    return None if value is None else str(value)


class _Uncacheable(Exception):
    pass


def _card_facts(card, path: str) -> tuple:
    product = card.product
    price = card.info.price
    availability = card.info.availability
    hidden = bool(getattr(price, "hidden", False))
    exists = bool(getattr(price, "exists", False))
    discounted = bool(exists and getattr(price, "is_discounted", False))
    tax_known = bool(exists and getattr(price, "is_tax_known", False))
    image = card.image
    return (
        product.pk,
        product.date_updated.isoformat() if product.date_updated else None,
        product.get_title(),
        card.url,
        (image.pk, image.original.name) if image is not None else None,
        card.sku,
        card.brand,
        card.variant_count,
        # price: what _price.html prints
        hidden,
        path if hidden else None,
        exists,
        discounted,
        _shown(price, "base_excl_tax") if discounted else None,
        _shown(price, "excl_tax") if exists else None,
        _shown(price, "currency") if exists else None,
        tax_known,
        _shown(price, "tax") if tax_known else None,
        _shown(price, "incl_tax") if tax_known else None,
        # stock: _availability.html and the add-to-cart form's max
        bool(availability.is_available_to_buy),
        _stock_message(availability),
        _shown(availability, "num_available"),
    )


def _stock_message(availability):
    """What ``availability.message`` shows, for the key: a warehouse availability's message is
    made of its free quantity and restock date (and the language, in the key), which are read
    without a gettext lookup per card; any other policy's message as text."""
    if type(availability) is WarehouseAvailability:
        return ("warehouses", availability.num_available, availability.restock_date)
    return str(availability.message)


def _key(prefix: tuple, card, path: str) -> str:
    facts = repr((*prefix, _card_facts(card, path)))
    return "pipit:card:" + hashlib.sha1(facts.encode()).hexdigest()


def _render(card_template, context, card) -> str:
    with context.push(card=card, csrf_token=_CSRF_SLOT):
        return card_template.render(context)


@register.simple_tag(takes_context=True)
def card_fragments(context, cards) -> list[str]:
    """The HTML of each card in ``cards``, as ``{% include "catalog/_card.html" %}`` renders it."""
    cards = list(cards)
    if not cards:
        return []
    engine = context.template.engine
    card_template = engine.get_template(CARD_TEMPLATE)
    request = context.get("request")
    storefront = getattr(request, "storefront", None)
    outer = tuple((name, context.get(name)) for name in OUTER_NAMES)
    if storefront is None or any(v is not None and not isinstance(v, str | int) for _, v in outer):
        return _with_csrf([_render(card_template, context, card) for card in cards], context)
    sources = "\0".join(engine.get_template(name).source for name in CARD_TEMPLATES)
    prefix = (
        VERSION,
        storefront.pk,
        getattr(storefront, "theme", None),
        hashlib.sha1(sources.encode()).hexdigest(),
        get_language(),
        get_script_prefix(),
        outer,
    )
    path = request.get_full_path()
    keys: list[str | None] = []
    for card in cards:
        try:
            keys.append(_key(prefix, card, path))
        except _Uncacheable:
            keys.append(None)
    found = cache.get_many([k for k in keys if k is not None])
    missing = {}
    html = []
    for card, key in zip(cards, keys, strict=True):
        fragment = found.get(key) if key is not None else None
        if fragment is None:
            fragment = _render(card_template, context, card)
            if key is not None:
                missing[key] = fragment
        html.append(fragment)
    if missing:
        cache.set_many(missing, TIMEOUT)
    return _with_csrf(html, context)


def _with_csrf(fragments: list[str], context) -> list[str]:
    """The fragments with the placeholder input replaced by what ``{% csrf_token %}`` renders
    for this request (the token is read once per page, and only if a card has a form)."""
    token_input = None
    out = []
    for fragment in fragments:
        if _CSRF_INPUT in fragment:
            if token_input is None:
                token_input = str(CsrfTokenNode().render(context))
            fragment = fragment.replace(_CSRF_INPUT, token_input)
        out.append(mark_safe(fragment))
    return out
