"""Design tokens an editor changes per storefront, without touching theme files."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

FONT_STACKS = {
    "system": 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
    "humanist": '"Trebuchet MS", "Gill Sans", "Noto Sans", sans-serif',
    "serif": 'Georgia, "PT Serif", "Times New Roman", serif',
    "mono": '"JetBrains Mono", "DejaVu Sans Mono", Menlo, monospace',
}


@register_setting(icon="palette")
class DesignTokens(BaseSiteSetting):
    brand_color = models.CharField(
        _("brand color"), max_length=7, default="#1f4e79", help_text=_("Hex, e.g. #1f4e79")
    )
    accent_color = models.CharField(_("accent color"), max_length=7, default="#e07a1f")
    text_on_brand_color = models.CharField(
        _("text on brand color"), max_length=7, default="#ffffff"
    )
    font = models.CharField(
        _("font"),
        max_length=20,
        default="system",
        choices=[
            ("system", _("System sans-serif")),
            ("humanist", _("Humanist sans-serif")),
            ("serif", _("Serif")),
            ("mono", _("Monospace")),
        ],
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("logo"),
    )
    tagline = models.CharField(_("tagline"), max_length=160, blank=True)

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("brand_color"),
                FieldPanel("accent_color"),
                FieldPanel("text_on_brand_color"),
            ],
            heading=_("Colors"),
        ),
        FieldPanel("font"),
        FieldPanel("logo"),
        FieldPanel("tagline"),
    ]

    class Meta:
        verbose_name = _("design tokens")

    @property
    def font_stack(self) -> str:
        return FONT_STACKS.get(self.font, FONT_STACKS["system"])
