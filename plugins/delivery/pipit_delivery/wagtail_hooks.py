"""Admin screens for sales ops: delivery methods and zones, under Commerce, for the storefronts
that switched the plugin on (another storefront's rows answer 404)."""

from __future__ import annotations

from django.shortcuts import redirect
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from pipit.inventory.models import Warehouse
from pipit.plugins.admin import PluginModelViewSet, PluginScopedForm, plugin_storefront_ids
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn

from .models import DeliveryMethod, DeliveryZone

PLUGIN_ID = "delivery"
ROLES = ("admin", "pricing")


class DeliveryZoneForm(PluginScopedForm):
    pass


class DeliveryMethodForm(PluginScopedForm):
    """Zones and warehouses to choose from are those of the storefronts the user may edit; the
    model's validation then checks they belong to the method's own storefront."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is None:
            return
        ids = plugin_storefront_ids(self.for_user, self.plugin_id, self.plugin_roles)
        if "zone" in self.fields:
            self.fields["zone"].queryset = DeliveryZone.objects.filter(
                storefront_id__in=ids
            ).select_related("storefront")
        if "warehouse" in self.fields:
            self.fields["warehouse"].queryset = (
                Warehouse.objects.filter(storefronts__in=ids).distinct().order_by("name")
            )


class DeliveryZoneDeleteView(PluginModelViewSet.delete_view_class):
    """A zone that methods use stays: deleting it would leave them nowhere (or, set to "no
    zone", suddenly everywhere). Sales ops are told which methods to change first."""

    def form_valid(self, form):
        users = [str(method) for method in self.object.methods.all()]
        if users:
            messages.error(
                self.request,
                _(
                    "The zone is used by these delivery methods; change or delete them first: %(methods)s"
                )
                % {"methods": ", ".join(users)},
            )
            return redirect(self.get_success_url())
        return super().form_valid(form)


class DeliveryZoneViewSet(PluginModelViewSet):
    model = DeliveryZone
    delete_view_class = DeliveryZoneDeleteView
    plugin_id = PLUGIN_ID
    roles = ROLES
    storefront_lookup = "storefront"
    icon = "site"
    menu_label = _("Delivery zones")
    list_display = ["name", "storefront", "cities", "postcode_prefixes"]
    list_select_related = ("storefront",)
    search_fields = ["name", "cities", "postcode_prefixes"]
    edit_handler = ObjectList(
        [
            FieldPanel("storefront"),
            FieldPanel("name"),
            FieldPanel("cities"),
            FieldPanel("postcode_prefixes"),
        ],
        base_form_class=DeliveryZoneForm,
    )


class DeliveryMethodViewSet(PluginModelViewSet):
    model = DeliveryMethod
    plugin_id = PLUGIN_ID
    roles = ROLES
    storefront_lookup = "storefront"
    icon = "pick"
    menu_label = _("Delivery methods")
    list_select_related = ("storefront", "zone", "warehouse")
    list_display = [
        "__str__",
        "code",
        "zone",
        "base_cost",
        "free_above",
        BooleanColumn(
            "active", label=capfirst(DeliveryMethod._meta.get_field("active").verbose_name)
        ),
        "storefront",
    ]
    list_filter = ["kind", "active"]
    search_fields = ["name", "code"]
    edit_handler = ObjectList(
        [
            FieldPanel("storefront"),
            FieldRowPanel([FieldPanel("kind"), FieldPanel("code")]),
            FieldPanel("name"),
            FieldPanel("description"),
            FieldRowPanel([FieldPanel("zone"), FieldPanel("warehouse")]),
            FieldRowPanel([FieldPanel("active"), FieldPanel("sort_order")]),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("base_cost"), FieldPanel("free_above")]),
                    FieldRowPanel([FieldPanel("cost_per_kg"), FieldPanel("cost_per_m3")]),
                ],
                heading=_("Cost"),
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel(
                        [
                            FieldPanel("min_weight_kg"),
                            FieldPanel("max_weight_kg"),
                            FieldPanel("max_volume_m3"),
                        ]
                    )
                ],
                heading=_("Limits"),
            ),
        ],
        base_form_class=DeliveryMethodForm,
    )


@hooks.register("register_admin_viewset")
def register_delivery_admin():
    return [DeliveryMethodViewSet("delivery_methods"), DeliveryZoneViewSet("delivery_zones")]
