"""The storefront being served, for code that has no request at hand (template loaders, tasks)."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from django.utils import translation

if TYPE_CHECKING:
    from .models import Storefront

_current: ContextVar[Storefront | None] = ContextVar("pipit_storefront", default=None)


def current_storefront() -> Storefront | None:
    return _current.get()


def set_current_storefront(storefront: Storefront | None):
    return _current.set(storefront)


def reset_current_storefront(token) -> None:
    _current.reset(token)


@contextmanager
def storefront_context(storefront: Storefront):
    """Render and compute as ``storefront`` would (theme, language) outside a request."""
    token = _current.set(storefront)
    try:
        with translation.override(storefront.language):
            yield storefront
    finally:
        _current.reset(token)
