"""``{% plugin_slot "name" key=value %}``: where a theme lets plugins render content.

Usage in a theme template::

    {% load pipit_plugins %}
    {% plugin_slot "product_page" product=product %}

The slot name must be one declared in :data:`pipit.plugins.hooks.SLOTS` (a misspelled name is a
``TemplateSyntaxError`` when the template compiles). The tag renders, in plugin id order, the
content of every plugin switched on for ``request.storefront`` that fills the slot. It costs no
query of its own beyond the storefront's activations, which are read once per request (and not at
all when no plugin is installed). A plugin that raises is logged and renders nothing.
"""

from __future__ import annotations

import logging

from django import template
from django.template.base import FilterExpression
from django.template.library import parse_bits
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from ..hooks import HookError, get_slot_spec
from ..models import enabled_plugins

logger = logging.getLogger("pipit.plugins")

register = template.Library()


class PluginSlotNode(template.Node):
    def __init__(self, name: str, kwargs: dict[str, FilterExpression]) -> None:
        self.name = name
        self.kwargs = kwargs

    def render(self, context: template.Context) -> SafeString:
        request = context.get("request")
        storefront = getattr(request, "storefront", None)
        pieces: list[str] = []
        # enabled_plugins returns [] before any query when no plugin is installed.
        for plugin, settings in enabled_plugins(storefront):
            implementation = plugin.slot_implementation(self.name)
            if implementation is None:
                continue
            try:
                values = {key: value.resolve(context) for key, value in self.kwargs.items()}
                result = implementation(
                    request=request, storefront=storefront, settings=settings, **values
                )
                pieces.append(_render(result, context))
            except Exception:
                logger.exception(
                    "Plugin %s failed in UI slot %s on storefront %s; it renders nothing.",
                    plugin.id,
                    self.name,
                    getattr(storefront, "pk", None),
                )
        return mark_safe("".join(pieces))


def _render(result, context: template.Context) -> str:
    if result is None:
        return ""
    if isinstance(result, str):
        return str(conditional_escape(result))
    template_name, values = result
    # Like an inclusion tag: the page's engine (so the storefront's theme) and its context.
    tpl = context.template.engine.get_template(template_name)
    new_context = context.new(values)
    csrf_token = context.get("csrf_token")
    if csrf_token is not None:
        new_context["csrf_token"] = csrf_token
    return tpl.render(new_context)


@register.tag
def plugin_slot(parser, token) -> PluginSlotNode:
    """``{% plugin_slot "product_page" product=product %}``: the plugins' content for a slot."""
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][:1] not in "\"'" or bits[1][-1:] != bits[1][:1]:
        raise template.TemplateSyntaxError(
            '{% plugin_slot %} takes a quoted slot name: {% plugin_slot "product_page" %}.'
        )
    name = bits[1][1:-1]
    try:
        spec = get_slot_spec(name)
    except HookError as exc:
        raise template.TemplateSyntaxError(str(exc)) from exc
    args, kwargs = parse_bits(
        parser,
        bits[2:],
        params=[],
        varargs=None,
        varkw="context",
        defaults=None,
        kwonly=[],
        kwonly_defaults=None,
        takes_context=False,
        name="plugin_slot",
    )
    if args:
        raise template.TemplateSyntaxError("{% plugin_slot %} takes keyword arguments only.")
    unknown = sorted(set(kwargs) - set(spec.context))
    if unknown:
        raise template.TemplateSyntaxError(
            f"UI slot {name!r} passes {', '.join(spec.context) or 'no arguments'}, not {unknown}."
        )
    return PluginSlotNode(name, kwargs)
