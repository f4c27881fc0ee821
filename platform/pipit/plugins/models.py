"""Per-storefront plugin enablement and settings."""

from __future__ import annotations

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from pipit.tenancy.models import Storefront

from .base import Plugin
from .registry import registry

# Where a storefront instance keeps its activations once read: storefront objects live for one
# request (the host map hands out fresh copies), so this is "one query per request at most".
_CACHE_ATTR = "_pipit_plugin_activations"


class PluginActivation(models.Model):
    """Whether one plugin is switched on for one storefront, and its settings there.

    Switching a plugin off keeps its row (and the plugin's own data): switching it on again
    restores its settings.
    """

    storefront = models.ForeignKey(
        Storefront,
        on_delete=models.CASCADE,
        related_name="plugin_activations",
        verbose_name=_("storefront"),
    )
    plugin_id = models.CharField(_("plugin"), max_length=100)
    enabled = models.BooleanField(_("enabled"), default=False)
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("plugin activation")
        verbose_name_plural = _("plugin activations")
        constraints = [
            models.UniqueConstraint(
                fields=["storefront", "plugin_id"], name="plugins_one_activation_per_storefront"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plugin_id} @ {self.storefront_id}"


#: Django cache key of plugin id → storefronts that switched it on (the admin's menus read it).
ENABLED_CACHE_KEY = "pipit:plugins:enabled"


def _cache_key(storefront_id: int) -> str:
    return f"pipit:plugins:activations:{storefront_id}"


def activations(storefront: Storefront) -> dict[str, PluginActivation]:
    """All activations of ``storefront`` by plugin id.

    Every storefront page asks (UI slots, hooks, plugin URLs), and switches change rarely: they are
    kept in Django's cache (dropped whenever an activation is saved or deleted) and on the
    storefront object for the rest of the request, so a warm page reads no row for them.
    """
    cached = getattr(storefront, _CACHE_ATTR, None)
    if cached is None:
        cached = cache.get(_cache_key(storefront.pk))
        if cached is None:
            cached = {
                a.plugin_id: a for a in PluginActivation.objects.filter(storefront=storefront)
            }
            cache.set(_cache_key(storefront.pk), cached, timeout=None)
        setattr(storefront, _CACHE_ATTR, cached)
    return cached


def forget_activations(storefront: Storefront) -> None:
    """Drop the activations kept on ``storefront`` (after saving a change to them)."""
    storefront.__dict__.pop(_CACHE_ATTR, None)
    cache.delete_many([_cache_key(storefront.pk), ENABLED_CACHE_KEY])


@receiver([post_save, post_delete], sender=PluginActivation, dispatch_uid="pipit.plugins.forget")
def _activation_changed(sender, instance: PluginActivation, **kwargs) -> None:
    keys = [_cache_key(instance.storefront_id), ENABLED_CACHE_KEY]
    cache.delete_many(keys)
    # Again after the commit: a request that read the old rows meanwhile may have cached them.
    transaction.on_commit(lambda: cache.delete_many(keys))


def is_enabled(storefront: Storefront | None, plugin_id: str) -> bool:
    """Whether ``plugin_id`` is installed, working and switched on for ``storefront``."""
    if storefront is None or registry.get(plugin_id) is None:
        return False
    activation = activations(storefront).get(plugin_id)
    return activation is not None and activation.enabled


def enabled_plugins(storefront: Storefront | None) -> list[tuple[Plugin, dict]]:
    """``(plugin, settings)`` of the working plugins switched on for ``storefront``, in id order."""
    if storefront is None:
        return []
    installed = registry.plugins()
    if not installed:
        return []  # nothing installed: not even the one query
    mine = activations(storefront)
    return [
        (plugin, mine[plugin_id].settings)
        for plugin_id, plugin in installed.items()
        if plugin_id in mine and mine[plugin_id].enabled
    ]
