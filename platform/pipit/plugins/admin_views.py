"""Commerce → Plugins: installed plugins, and per storefront a switch and the settings form.

Only storefront admins (the admin role of a storefront, or platform superusers) see this screen,
and only for their own storefronts; another storefront's settings URL answers 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from pipit.tenancy.access import staff_storefront_ids
from pipit.tenancy.models import Storefront, StorefrontGroup

from .forms import ActivationForm, cleaned_settings, settings_form_for
from .models import PluginActivation, activations
from .registry import registry


def plugin_admin_storefronts(user):
    """Storefronts whose plugins ``user`` may switch and configure: those they are admin of."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return Storefront.objects.none()
    if user.is_superuser:
        return Storefront.objects.all()
    return Storefront.objects.filter(
        pk__in=staff_storefront_ids(user),
        role_groups__role=StorefrontGroup.Role.ADMIN,
        role_groups__group__user=user,
    ).distinct()


def can_manage_plugins(user) -> bool:
    return plugin_admin_storefronts(user).exists()


class PluginIndexView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "plugins/admin/index.html"
    page_title = _("Plugins")
    header_icon = "code"

    def dispatch(self, request, *args, **kwargs):
        if not can_manage_plugins(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        storefronts = list(plugin_admin_storefronts(self.request.user).order_by("name"))
        by_storefront: dict[int, dict[str, PluginActivation]] = {sf.pk: {} for sf in storefronts}
        for activation in PluginActivation.objects.filter(storefront__in=storefronts):
            by_storefront[activation.storefront_id][activation.plugin_id] = activation
        rows = []
        for plugin in registry.plugins().values():
            states = []
            for sf in storefronts:
                activation = by_storefront[sf.pk].get(plugin.id)
                states.append(
                    {
                        "storefront": sf,
                        "enabled": bool(activation and activation.enabled),
                        "url": reverse("pipit_plugins:edit", args=[plugin.id, sf.pk]),
                    }
                )
            rows.append({"plugin": plugin, "states": states})
        context.update(rows=rows, errors=registry.errors(), storefronts=storefronts)
        return context


class PluginEditView(WagtailAdminTemplateMixin, TemplateView):
    """Switch one plugin on or off for one storefront and edit its settings there."""

    template_name = "plugins/admin/edit.html"
    header_icon = "code"

    def dispatch(self, request, plugin_id: str, storefront_id: int):
        self.plugin = registry.get(plugin_id)
        if self.plugin is None:
            raise Http404
        self.storefront = get_object_or_404(
            plugin_admin_storefronts(request.user), pk=storefront_id
        )
        self.activation = activations(self.storefront).get(self.plugin.id)
        self.stored = self.activation.settings if self.activation else {}
        return super().dispatch(request)

    @property
    def page_title(self):
        return _("%(plugin)s on %(storefront)s") % {
            "plugin": self.plugin.name or self.plugin.id,
            "storefront": self.storefront.name,
        }

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("pipit_plugins:index"), "label": _("Plugins")},
            {"url": "", "label": self.page_title},
        ]

    def get(self, request, *args, **kwargs):
        form = ActivationForm(
            initial={"enabled": bool(self.activation and self.activation.enabled)}
        )
        return self.render_to_response(
            self.get_context_data(form=form, settings_form=self._settings_form())
        )

    def post(self, request, *args, **kwargs):
        form = ActivationForm(request.POST)
        settings_form = self._settings_form(request.POST)
        settings_ok = settings_form is None or settings_form.is_valid()
        if not (form.is_valid() and settings_ok):
            messages.validation_error(
                request, _("The settings could not be saved due to errors."), form
            )
            return self.render_to_response(
                self.get_context_data(form=form, settings_form=settings_form)
            )
        with transaction.atomic():
            PluginActivation.objects.update_or_create(
                storefront=self.storefront,
                plugin_id=self.plugin.id,
                defaults={
                    "enabled": form.cleaned_data["enabled"],
                    "settings": cleaned_settings(self.plugin, settings_form, self.stored),
                },
            )
        messages.success(
            request,
            _("Plugin '%(plugin)s' saved for %(storefront)s.")
            % {"plugin": self.plugin.name or self.plugin.id, "storefront": self.storefront.name},
        )
        return redirect("pipit_plugins:index")

    def _settings_form(self, data=None):
        return settings_form_for(self.plugin, self.stored, data)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(plugin=self.plugin, storefront=self.storefront, action_url=self.request.path)
        return context
