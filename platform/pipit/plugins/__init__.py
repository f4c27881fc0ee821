"""Pipit's plugin platform: discovery, per-storefront enablement and settings, declared hooks.

A plugin is a Python package with an entry point in the ``pipit.plugins`` group pointing at a
:class:`pipit.plugins.base.Plugin` subclass. Hooks are declared in :mod:`pipit.plugins.hooks`;
:mod:`pipit.plugins.dispatch` runs them for the plugins a storefront has switched on.
"""
