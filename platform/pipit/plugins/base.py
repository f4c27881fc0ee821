"""The :class:`Plugin` base class: the public extension point every Pipit plugin subclasses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from .hooks import HOOK_ATTRIBUTE, SLOT_ATTRIBUTE, HookError


class Plugin:
    """Base class of a Pipit plugin.

    A plugin package declares an entry point in the ``pipit.plugins`` group pointing at its
    subclass of this class (``[project.entry-points."pipit.plugins"] myplugin =
    "myplugin.plugin:MyPlugin"``). Installing the package makes it appear in the admin's
    Commerce → Plugins screen, where a storefront admin switches it on for their storefront and
    edits its settings. A plugin may also be a Django app with its own models and migrations.

    Declare:

    * :attr:`id` – a stable machine name (the key of its per-storefront activation);
    * :attr:`name`, :attr:`version`, :attr:`description` – shown to admins;
    * :attr:`pipit_requires` – the Pipit versions it supports, a PEP 440 specifier such as
      ``">=0.1,<0.3"`` checked against ``pipit.__version__``; an incompatible plugin is reported
      in the admin and never runs;
    * :attr:`settings_form` – a :class:`django.forms.Form` subclass: the typed settings schema.
      The admin renders it per storefront and saves ``cleaned_data`` (JSON-serialisable values
      only). Fields whose widget is :class:`~django.forms.PasswordInput` are secrets: stored, but
      never rendered back;
    * hook implementations – methods decorated with :func:`pipit.plugins.hooks.hook`;
    * UI slot content – methods decorated with :func:`pipit.plugins.hooks.slot`;
    * :attr:`urls` and :attr:`api_urls` – the plugin's own pages and API routes.

    One instance per plugin serves every storefront; per-storefront state comes in the ``settings``
    argument each hook receives, so keep no per-request state on ``self``.
    """

    id: ClassVar[str] = ""
    name: ClassVar[str] = ""
    version: ClassVar[str] = "0"
    description: ClassVar[str] = ""
    pipit_requires: ClassVar[str] = ""
    settings_form: ClassVar[type[forms.Form] | None] = None

    #: A URLconf module path mounted at ``/shop/p/<id>/`` (URL namespace ``<id>``); every URL in it
    #: answers 404 on storefronts that have not switched the plugin on.
    urls: ClassVar[str | None] = None
    #: A URLconf module path mounted at ``/api/v1/p/<id>/`` (namespace ``api:<id>``), likewise.
    api_urls: ClassVar[str | None] = None

    #: Hook name → method name, collected from the decorated methods when the class is defined.
    hook_methods: ClassVar[dict[str, str]] = {}
    #: UI slot name → method name, collected from the methods decorated with ``@slot``.
    slot_methods: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.hook_methods = _collect(cls, HOOK_ATTRIBUTE, "hook")
        cls.slot_methods = _collect(cls, SLOT_ATTRIBUTE, "slot")

    def blocks(self) -> dict[str, Any]:
        """StreamField blocks this plugin adds to the CMS pages' body (home and landing pages).

        Return ``{name: block instance}``; each is offered to editors as ``<plugin id>_<name>``
        (labelled with the plugin's name). A block renders only on storefronts that have
        switched the plugin on; elsewhere it renders nothing and is kept in the page. Called
        once the apps are loaded, so it may import the plugin's models. Block definitions do not
        enter Pipit's migrations.
        """
        return {}

    def load_demo(self, storefront) -> None:
        """Write this plugin's demo data for ``storefront`` (``manage.py load_demo``).

        Called for each demo storefront whose site file lists the plugin (``[plugins.<id>]``),
        after the plugin was switched on there, inside the site's transaction. Must be
        idempotent: the demo loads again on every ``make demo``.
        """

    def implementation(self, hook_name: str) -> Callable | None:
        """The bound method implementing ``hook_name``, or None."""
        attr = self.hook_methods.get(hook_name)
        return getattr(self, attr) if attr else None

    def slot_implementation(self, slot_name: str) -> Callable | None:
        """The bound method filling UI slot ``slot_name``, or None."""
        attr = self.slot_methods.get(slot_name)
        return getattr(self, attr) if attr else None

    @classmethod
    def incompatibility(cls, pipit_version: str) -> str | None:
        """Why this plugin cannot run on ``pipit_version``, or None when it can."""
        if not cls.pipit_requires:
            return None
        try:
            spec = SpecifierSet(cls.pipit_requires)
            version = Version(pipit_version)
        except (InvalidSpecifier, InvalidVersion) as exc:
            return f"Invalid Pipit version requirement {cls.pipit_requires!r}: {exc}"
        if not spec.contains(version, prereleases=True):
            return f"Requires Pipit {cls.pipit_requires}, this is Pipit {pipit_version}."
        return None

    @classmethod
    def secret_fields(cls) -> frozenset[str]:
        """Names of the settings fields that are secrets (rendered with a PasswordInput)."""
        if cls.settings_form is None:
            return frozenset()
        return frozenset(
            name
            for name, field in cls.settings_form.base_fields.items()
            if isinstance(field.widget, forms.PasswordInput)
        )

    def __repr__(self) -> str:
        return f"<Plugin {self.id} {self.version}>"


def _collect(cls: type, attribute: str, kind: str) -> dict[str, str]:
    """Name → method name of the methods of ``cls`` (and its bases) marked with ``attribute``."""
    collected: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        for attr, value in vars(klass).items():
            name = getattr(value, attribute, None)
            if name is None:
                continue
            if collected.get(name, attr) != attr and klass is cls:
                raise HookError(
                    f"{cls.__qualname__} implements {kind} {name!r} twice "
                    f"({collected[name]} and {attr})."
                )
            collected[name] = attr
    return collected
