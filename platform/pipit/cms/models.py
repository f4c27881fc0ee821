"""Storefront pages built by marketing from promo blocks, and the promo banners they show."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import CharField, Exists, OuterRef, Prefetch, Q
from django.db.models.functions import Cast
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, PublishingPanel
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    Page,
    PreviewableMixin,
    Revision,
    RevisionMixin,
    WorkflowMixin,
    WorkflowState,
)
from wagtail.search import index

from pipit.tenancy.context import storefront_context

from .blocks import PLACEMENT_CHOICES, PageBodyField, validate_link


class HomePage(Page):
    """The root of a storefront's page tree."""

    body = PageBodyField(blank=True, verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("body")]
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")


class LandingPage(Page):
    """A promo landing page inside a storefront."""

    body = PageBodyField(blank=True, verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("body")]
    parent_page_types = ["cms.HomePage", "cms.LandingPage"]

    class Meta:
        verbose_name = _("landing page")


class PromoBannerQuerySet(models.QuerySet):
    def for_staff(self, user) -> PromoBannerQuerySet:
        """Banners of the storefronts a staff user administers (all for superusers)."""
        from pipit.tenancy.models import Storefront

        return self.filter(storefront__in=Storefront.objects.for_staff(user))

    def _approved_schedule(self):
        """Revisions of the outer banner approved for publishing at a set time (a subquery)."""
        return Revision.objects.filter(
            base_content_type=ContentType.objects.get_for_model(self.model),
            object_id=Cast(OuterRef("pk"), output_field=CharField()),
            approved_go_live_at__isnull=False,
        )

    def with_admin_status(self) -> PromoBannerQuerySet:
        """Load what the admin listing's status column reads for the whole page at once.

        Wagtail would otherwise ask, for every row, whether a publication is scheduled and whether
        a workflow is in progress (it does this for pages, not for snippets).
        """
        active_workflows = WorkflowState.objects.active().select_related("current_task_state__task")
        return self.annotate(_approved_schedule=Exists(self._approved_schedule())).prefetch_related(
            Prefetch("_workflow_states", active_workflows, to_attr="_current_workflow_states")
        )

    def shown_at(self, at: datetime.datetime | None = None) -> PromoBannerQuerySet:
        """Banners published and inside their publishing window at ``at`` (default: now).

        The window is applied here rather than left to ``publish_scheduled``, so a schedule takes
        effect on time even where no cron runs: a banner whose first publication was scheduled
        shows from ``go_live_at``, and any banner disappears at ``expire_at``. (A scheduled
        *change* to an already live banner still needs ``publish_scheduled``; until then the live
        version keeps showing.)
        """
        at = at or timezone.now()
        return self.filter(
            Q(live=True)
            | (
                Q(live=False, go_live_at__isnull=False, expired=False)
                & Exists(self._approved_schedule())
            ),
            Q(go_live_at__isnull=True) | Q(go_live_at__lte=at),
            Q(expire_at__isnull=True) | Q(expire_at__gt=at),
        )

    def live_for(
        self,
        storefront,
        company=None,
        placement: str | None = None,
        at: datetime.datetime | None = None,
    ) -> PromoBannerQuerySet:
        """Banners a visitor of ``storefront`` sees at ``at`` (default: now), highest priority first.

        ``company`` is the visitor's company (``None`` for anonymous visitors and staff): they see
        the storefront-wide banners and those aimed at their company.
        """
        audience = self.model.companies.through.objects.filter(promobanner=OuterRef("pk"))
        for_everyone = ~Exists(audience)
        qs = self.shown_at(at).filter(storefront=storefront)
        if company is not None:
            qs = qs.filter(for_everyone | Exists(audience.filter(company=company)))
        else:
            qs = qs.filter(for_everyone)
        if placement:
            qs = qs.filter(placement=placement)
        return qs.order_by("-priority", "-go_live_at", "-first_published_at", "-pk")


class PromoBanner(
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    PreviewableMixin,
    index.Indexed,
    ClusterableModel,
):
    """A promotion shown on a storefront's pages and in its buyers' Promotions section.

    ``companies`` is the audience: empty means every visitor of the storefront.
    """

    storefront = models.ForeignKey(
        "tenancy.Storefront",
        on_delete=models.CASCADE,
        related_name="promo_banners",
        verbose_name=_("storefront"),
    )
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("text"), blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("image"),
    )
    link_url = models.CharField(
        _("link"),
        max_length=500,
        blank=True,
        validators=[validate_link],
        help_text=_("A path on this storefront (/shop/catalogue/) or a full https:// address."),
    )
    cta_label = models.CharField(
        _("button label"), max_length=60, blank=True, help_text=_("e.g. 'Shop the offer'")
    )
    placement = models.CharField(
        _("placement"), max_length=20, choices=PLACEMENT_CHOICES, default="home_top"
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=0, help_text=_("Higher numbers are shown first.")
    )
    companies = ParentalManyToManyField(
        "companies.Company",
        blank=True,
        related_name="promo_banners",
        verbose_name=_("aimed at companies"),
        help_text=_("Leave empty to show the banner to every visitor of the storefront."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PromoBannerQuerySet.as_manager()

    panels = [
        FieldPanel("storefront"),
        FieldPanel("title"),
        FieldPanel("text"),
        FieldPanel("image"),
        FieldRowPanel([FieldPanel("cta_label"), FieldPanel("link_url")], heading=_("Link")),
        MultiFieldPanel(
            [FieldPanel("placement"), FieldPanel("priority"), FieldPanel("companies")],
            heading=_("Where and to whom"),
        ),
        PublishingPanel(),
    ]
    search_fields = [
        index.SearchField("title"),
        index.SearchField("text"),
        index.AutocompleteField("title"),
        index.FilterField("storefront"),
        index.FilterField("placement"),
        index.FilterField("live"),
    ]

    class Meta:
        verbose_name = _("promo banner")
        verbose_name_plural = _("promo banners")
        ordering = ["-priority", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def approved_schedule(self) -> bool:
        # Annotated by PromoBannerQuerySet.with_admin_status on listings (Wagtail's own
        # optimisation for pages); otherwise Wagtail reads the scheduled revision.
        if hasattr(self, "_approved_schedule"):
            return self._approved_schedule
        return super().approved_schedule

    @property
    def audience_label(self) -> str:
        """'Everyone' or 'N companies' (listings annotate ``num_companies`` to save queries)."""
        count = getattr(self, "num_companies", None)
        if count is None:
            count = self.companies.count()
        if not count:
            return gettext("Everyone")
        return ngettext("%(n)d company", "%(n)d companies", count) % {"n": count}

    # -- preview: the banner as the storefront shows it, in the storefront's theme -------------
    preview_modes = [
        ("", _("On a page")),
        ("promotions", _("In the buyer's Promotions section")),
    ]

    def get_preview_template(self, request, mode_name):
        if mode_name == "promotions":
            return "cms/promotions.html"
        return "cms/promo_banner_preview.html"

    def get_preview_context(self, request, mode_name):
        context = super().get_preview_context(request, mode_name)
        context.update(banner=self, banners=[self], is_preview=True)
        return context

    def serve_preview(self, request, mode_name):
        storefront = self.storefront
        # The admin may run on a platform host; render as the storefront's own host would.
        request.storefront = storefront
        request._wagtail_site = storefront.site
        with storefront_context(storefront):
            response = TemplateResponse(
                request,
                self.get_preview_template(request, mode_name),
                self.get_preview_context(request, mode_name),
            )
            response.render()
        return response
