"""The buyer's Promotions section: the live promotions aimed at them."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView

from pipit.companies.access import buyer_company

from .models import PromoBanner


class PromotionListView(LoginRequiredMixin, ListView):
    template_name = "cms/promotions.html"
    context_object_name = "banners"
    paginate_by = 20
    page_title = _("Promotions")

    def get_queryset(self):
        company = buyer_company(self.request.user, self.request.storefront)
        aimed_at_company = PromoBanner.companies.through.objects.filter(promobanner=OuterRef("pk"))
        return (
            PromoBanner.objects.live_for(self.request.storefront, company=company)
            .select_related("image")
            .annotate(
                targeted=Exists(aimed_at_company),
                started_at=Coalesce(F("go_live_at"), F("first_published_at"), F("created_at")),
            )
            .order_by("-started_at", "-pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = self.page_title
        context["company"] = buyer_company(self.request.user, self.request.storefront)
        return context
