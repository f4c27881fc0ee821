"""Admin screens of plugins: scoped to the storefronts that switched the plugin on.

A plugin that is a Django app registers its admin screens from its own ``wagtail_hooks.py``, the
way any Wagtail app does, with the base classes here::

    from wagtail import hooks
    from pipit.plugins.admin import PluginModelViewSet

    class DeliveryMethodViewSet(PluginModelViewSet):
        model = DeliveryMethod
        plugin_id = "delivery"
        roles = ("admin", "pricing")      # storefront roles that may use the screen
        storefront_lookup = "storefront"  # path from the model to its Storefront
        form_fields = ["storefront", "name", "cost"]

    @hooks.register("register_admin_viewset")
    def register_delivery_methods():
        return DeliveryMethodViewSet("delivery_methods")

Such a screen appears in the admin's Commerce menu only for staff who hold one of ``roles`` on a
storefront where the plugin is switched on, and lists, edits and creates rows of those
storefronts only; another storefront's row, or a row of a storefront that switched the plugin off,
answers 404 (its data is kept). Platform superusers see every storefront's rows. For an admin
page that is not a model screen, :class:`PluginMenuItem` gives a menu item with the same
visibility and :func:`plugin_storefront_ids` the scope.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet
from wagtail.admin.menu import MenuItem
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import policy_registry, register_permission_policy

from pipit.tenancy.access import staff_roles
from pipit.tenancy.admin_views import ScopedModelViewSet, StorefrontScopedForm, scope_to_ids
from pipit.tenancy.models import Storefront, StorefrontGroup

from .models import ENABLED_CACHE_KEY, PluginActivation

DEFAULT_ROLES: tuple[str, ...] = (StorefrontGroup.Role.ADMIN,)


def enabled_storefront_ids(plugin_id: str) -> frozenset[int]:
    """Storefronts that have switched ``plugin_id`` on (kept in Django's cache, like the
    per-storefront switches, so admin menus read no row for them)."""
    return _switched_on().get(plugin_id, frozenset())


def _switched_on() -> dict[str, frozenset[int]]:
    cached = cache.get(ENABLED_CACHE_KEY)
    if cached is None:
        found: dict[str, set[int]] = {}
        rows = PluginActivation.objects.filter(enabled=True).values_list(
            "plugin_id", "storefront_id"
        )
        for plugin_id, storefront_id in rows:
            found.setdefault(plugin_id, set()).add(storefront_id)
        cached = {plugin_id: frozenset(ids) for plugin_id, ids in found.items()}
        cache.set(ENABLED_CACHE_KEY, cached, timeout=None)
    return cached


def plugin_storefront_ids(user, plugin_id: str, roles: Iterable[str] = DEFAULT_ROLES) -> frozenset:
    """Storefronts where ``user`` may use ``plugin_id``'s admin screens: the plugin is switched on
    there and the user holds one of ``roles`` there (a superuser: every such storefront).

    Costs no query of its own on a warm cache: the user's roles are read once per request
    (:func:`pipit.tenancy.access.staff_roles`), the switches come from the cache.
    """
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return frozenset()
    enabled = enabled_storefront_ids(plugin_id)
    if user.is_superuser:
        return enabled
    wanted = set(roles)
    held = staff_roles(user)
    return frozenset(pk for pk in enabled if held.get(pk, frozenset()) & wanted)


class PluginPermissionPolicy(BasePermissionPolicy):
    """Every action on the model for staff holding one of ``roles`` on a storefront that switched
    the plugin on; per row, only rows of such storefronts.

    The roles stand in for Django model permissions: a plugin's models are new to the installation,
    so no role group holds permissions on them, and a storefront admin should not have to grant
    any before using a plugin they switched on.
    """

    def __init__(self, model, plugin_id: str, roles: Iterable[str], storefront_lookup: str):
        super().__init__(model)
        self.plugin_id = plugin_id
        self.roles = tuple(roles)
        self.storefront_lookup = storefront_lookup

    def _ids(self, user) -> frozenset[int]:
        return plugin_storefront_ids(user, self.plugin_id, self.roles)

    def user_has_permission(self, user, action) -> bool:
        return bool(self._ids(user))

    def user_has_any_permission(self, user, actions) -> bool:
        return bool(self._ids(user))

    def users_with_any_permission(self, actions) -> QuerySet:
        enabled = PluginActivation.objects.filter(plugin_id=self.plugin_id, enabled=True)
        return (
            get_user_model()
            .objects.filter(is_active=True)
            .filter(
                Q(is_superuser=True)
                | Q(
                    groups__storefront_role__role__in=self.roles,
                    groups__storefront_role__storefront__in=enabled.values("storefront_id"),
                )
            )
            .distinct()
        )

    def _storefront_id(self, instance) -> int | None:
        target = instance
        for part in self.storefront_lookup.split("__"):
            target = getattr(target, part, None)
            if target is None:
                return None
        return getattr(target, "pk", target)

    def user_has_permission_for_instance(self, user, action, instance) -> bool:
        return self._storefront_id(instance) in self._ids(user)

    def user_has_any_permission_for_instance(self, user, actions, instance) -> bool:
        return self.user_has_permission_for_instance(user, None, instance)

    def instances_user_has_any_permission_for(self, user, actions) -> QuerySet:
        return scope_to_ids(
            self.model._default_manager.all(), self._ids(user), self.storefront_lookup
        )


class PluginScopedForm(StorefrontScopedForm):
    """The form of a :class:`PluginModelViewSet`: its ``storefront`` choice lists only the
    storefronts where the user may use the plugin."""

    plugin_id: str = ""
    plugin_roles: tuple[str, ...] = DEFAULT_ROLES

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("storefront")
        if field is not None and self.for_user is not None:
            ids = plugin_storefront_ids(self.for_user, self.plugin_id, self.plugin_roles)
            field.queryset = Storefront.objects.filter(pk__in=ids).order_by("name")
            if len(ids) == 1 and not self.instance.pk:
                field.initial = next(iter(ids))


class PluginModelViewSet(ScopedModelViewSet):
    """A plugin's admin screen for one model; see the module documentation.

    Set :attr:`plugin_id`, :attr:`roles` (storefront staff roles: ``"admin"``, ``"editor"``,
    ``"pricing"``, ``"manager"``), :attr:`storefront_lookup` and, for the listing's columns,
    :attr:`list_select_related`.
    """

    plugin_id: str = ""
    roles: tuple[str, ...] = DEFAULT_ROLES
    #: Relations the listing's columns read, joined in its one query (no query per row).
    list_select_related: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        if not self.plugin_id:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a plugin_id.")
        super().__init__(*args, **kwargs)

    def on_register(self):
        # Registered before ModelViewSet.on_register looks the model's policy up, so Wagtail
        # never falls back to Django model permissions for it.
        if policy_registry.get_by_type(self.model, fallback=False) is None:
            register_permission_policy(
                self.model,
                PluginPermissionPolicy(
                    self.model, self.plugin_id, self.roles, self.storefront_lookup
                ),
                exact_class=True,
            )
        super().on_register()

    def scope_queryset(self, queryset: QuerySet, user) -> QuerySet:
        ids = plugin_storefront_ids(user, self.plugin_id, self.roles)
        scoped = scope_to_ids(queryset, ids, self.storefront_lookup)
        return (
            scoped.select_related(*self.list_select_related) if self.list_select_related else scoped
        )

    def get_form_class(self, for_update=False):
        form_class = super().get_form_class(for_update)
        if not issubclass(form_class, PluginScopedForm):
            form_class = type(
                form_class.__name__,
                (PluginScopedForm, form_class),
                {"plugin_id": self.plugin_id, "plugin_roles": self.roles},
            )
        else:
            form_class.plugin_id, form_class.plugin_roles = self.plugin_id, self.roles
        return form_class


class PluginMenuItem(MenuItem):
    """A Commerce menu item shown only to staff who may use ``plugin_id`` on some storefront.

    Register it with ``@hooks.register(pipit.tenancy.admin_views.COMMERCE_MENU_HOOK)``.
    """

    def __init__(self, label, url, *, plugin_id: str, roles: Iterable[str] = DEFAULT_ROLES, **kw):
        super().__init__(label, url, **kw)
        self.plugin_id = plugin_id
        self.roles = tuple(roles)

    def is_shown(self, request) -> bool:
        return bool(plugin_storefront_ids(request.user, self.plugin_id, self.roles))
