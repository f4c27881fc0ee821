from django import template

from pipit.cms.blocks import is_safe_link

register = template.Library()


@register.filter
def safe_link(url: str | None) -> str:
    """The editor's link if it is a path or an http(s)/mailto/tel address, else an empty string.

    Block and banner forms already refuse other links; this also covers JSON written by imports.
    """
    url = (url or "").strip()
    return url if url and is_safe_link(url) else ""
