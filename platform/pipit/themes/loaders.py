"""Template loaders that look in the current storefront's theme, then its parents."""

from django.template.loaders.cached import Loader as CachedLoader
from django.template.loaders.filesystem import Loader as FilesystemLoader

from pipit.tenancy.context import current_storefront

from .registry import get_theme


def _active_theme_name() -> str | None:
    storefront = current_storefront()
    return storefront.theme if storefront is not None else None


class ThemeLoader(FilesystemLoader):
    def get_dirs(self):
        theme = get_theme(_active_theme_name())
        if theme is None:
            return []
        return [t.templates_dir for t in theme.chain()]


class CachedThemeLoader(CachedLoader):
    """Django's cached loader, keyed by theme too: two storefronts never share a compiled page."""

    def cache_key(self, template_name, skip=None):
        return f"{_active_theme_name() or '-'}:{super().cache_key(template_name, skip)}"
