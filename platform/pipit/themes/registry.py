"""Themes live in ``themes/<name>/``: ``theme.toml``, ``templates/`` and ``static/``; no Python.

``theme.toml``::

    name = "salon"
    label = "Salon"
    extends = "base"          # optional; every theme but "base" should extend one
    description = "..."

A theme's templates override its parent's, file by file; so do its static files.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

BASE_THEME = "base"


@dataclass(frozen=True)
class Theme:
    name: str
    label: str
    path: Path
    extends: str | None = None
    description: str = ""

    @property
    def templates_dir(self) -> Path:
        return self.path / "templates"

    @property
    def static_dir(self) -> Path:
        return self.path / "static"

    def chain(self) -> list[Theme]:
        """This theme, then its parent, up to the base theme."""
        chain: list[Theme] = [self]
        seen = {self.name}
        registry = themes()
        parent = self.extends
        while parent:
            if parent in seen:
                raise ImproperlyConfigured(f"Theme {self.name!r} extends itself through {parent!r}")
            if parent not in registry:
                raise ImproperlyConfigured(f"Theme {chain[-1].name!r} extends unknown {parent!r}")
            chain.append(registry[parent])
            seen.add(parent)
            parent = registry[parent].extends
        return chain


@cache
def themes() -> dict[str, Theme]:
    found: dict[str, Theme] = {}
    root = Path(settings.THEMES_DIR)
    if not root.is_dir():
        return found
    for folder in sorted(root.iterdir()):
        manifest = folder / "theme.toml"
        if not manifest.is_file():
            continue
        with manifest.open("rb") as fh:
            data = tomllib.load(fh)
        name = data.get("name", folder.name)
        found[name] = Theme(
            name=name,
            label=data.get("label", name.title()),
            path=folder,
            extends=data.get("extends") or (None if name == BASE_THEME else BASE_THEME),
            description=data.get("description", ""),
        )
    return found


def get_theme(name: str | None) -> Theme | None:
    registry = themes()
    return registry.get(name or BASE_THEME) or registry.get(BASE_THEME)
