"""The admin form of one plugin on one storefront: the switch plus the plugin's settings form."""

from __future__ import annotations

import json

from django import forms
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext_lazy as _

from .base import Plugin

SETTINGS_PREFIX = "settings"


class ActivationForm(forms.Form):
    enabled = forms.BooleanField(label=_("Enabled on this storefront"), required=False)


def settings_form_for(plugin: Plugin, stored: dict, data=None) -> forms.Form | None:
    """The plugin's settings form bound to ``data``, initialised from the ``stored`` settings.

    Secret fields (PasswordInput) are never given their stored value to render; left blank on
    save, they keep it.
    """
    form_class = plugin.settings_form
    if form_class is None:
        return None
    secrets = plugin.secret_fields()
    initial = {k: v for k, v in stored.items() if k not in secrets}
    form = form_class(data=data, initial=initial, prefix=SETTINGS_PREFIX)
    for name in secrets:
        field = form.fields[name]
        field.widget.render_value = False
        if stored.get(name):
            field.required = False
            field.help_text = _("A value is stored; leave blank to keep it.")
    return form


def cleaned_settings(plugin: Plugin, form: forms.Form | None, stored: dict) -> dict:
    """The settings to save from a valid ``form``: stored secrets kept where left blank."""
    if form is None:
        return {}
    data = dict(form.cleaned_data)
    for name in plugin.secret_fields():
        if data.get(name) in (None, "") and stored.get(name):
            data[name] = stored[name]
    # Settings are stored as JSON: decimals, dates and times become strings (DjangoJSONEncoder)
    # that the settings form parses back; anything JSON still cannot hold is the plugin's bug.
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))
