"""Design tokens an editor changes per storefront, without touching theme files."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from . import colors

FONT_STACKS = {
    "system": 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
    "humanist": '"Trebuchet MS", "Gill Sans", "Noto Sans", sans-serif',
    "serif": 'Georgia, "PT Serif", "Times New Roman", serif',
    "mono": '"JetBrains Mono", "DejaVu Sans Mono", Menlo, monospace',
}


def validate_hex_color(value: str) -> None:
    try:
        colors.normalize_hex(value)
    except ValueError:
        raise ValidationError(
            _("“%(value)s” is not a color. Use a hex code like #1f4e79 or #fff."),
            code="invalid_color",
            params={"value": value},
        ) from None


@register_setting(icon="palette")
class DesignTokens(BaseSiteSetting):
    brand_color = models.CharField(
        _("brand color"),
        max_length=7,
        default="#1f4e79",
        validators=[validate_hex_color],
        help_text=_("Header and navigation background. Hex, e.g. #1f4e79."),
    )
    accent_color = models.CharField(
        _("accent color"),
        max_length=7,
        default="#e07a1f",
        validators=[validate_hex_color],
        help_text=_("Buttons and highlights. Hex, e.g. #e07a1f."),
    )
    text_on_brand_color = models.CharField(
        _("text on brand color"),
        max_length=7,
        default="#ffffff",
        validators=[validate_hex_color],
        help_text=_("Text over the brand color; needs a contrast of at least 4.5:1 with it."),
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

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @property
    def font_stack(self) -> str:
        return FONT_STACKS.get(self.font, FONT_STACKS["system"])

    def clean(self) -> None:
        super().clean()
        # Field validators have already reported malformed colors; normalise the good ones.
        for name in ("brand_color", "accent_color", "text_on_brand_color"):
            try:
                setattr(self, name, colors.normalize_hex(getattr(self, name)))
            except ValueError:
                return
        ratio = colors.contrast_ratio(self.brand_color, self.text_on_brand_color)
        if ratio < colors.MIN_TEXT_CONTRAST:
            raise ValidationError(
                {
                    "text_on_brand_color": _(
                        "Text on the brand color is hard to read: contrast %(ratio)s:1, "
                        "at least %(minimum)s:1 is needed. Try %(suggestion)s."
                    )
                    % {
                        "ratio": f"{ratio:.1f}",
                        "minimum": colors.MIN_TEXT_CONTRAST,
                        "suggestion": colors.readable_on(self.brand_color),
                    }
                }
            )
