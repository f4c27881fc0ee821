"""System checks: ``manage.py check``/``migrate``/``runserver`` report plugins that did not load."""

from __future__ import annotations

from django.core import checks


def plugin_errors(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    from .registry import registry

    messages: list[checks.CheckMessage] = []
    for error in registry.errors():
        text = f"Plugin {error.entry_point} ({error.target}): {error.message}"
        if error.hook_error:
            # A misspelled hook is the plugin author's bug: fail loudly at start-up.
            messages.append(checks.Error(text, id="pipit_plugins.E001"))
        else:
            messages.append(checks.Warning(text, id="pipit_plugins.W001"))
    return messages


def register() -> None:
    checks.register(plugin_errors, "pipit_plugins")
