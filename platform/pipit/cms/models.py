"""Storefront pages built by marketing from promo blocks."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from .blocks import PromoStreamBlock


class HomePage(Page):
    """The root of a storefront's page tree."""

    body = StreamField(PromoStreamBlock(), blank=True, verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("body")]
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")


class LandingPage(Page):
    """A promo landing page inside a storefront."""

    body = StreamField(PromoStreamBlock(), blank=True, verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("body")]
    parent_page_types = ["cms.HomePage", "cms.LandingPage"]

    class Meta:
        verbose_name = _("landing page")
