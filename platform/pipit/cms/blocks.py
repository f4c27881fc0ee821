"""Promo StreamField blocks. (Filled in by the CMS work: hero, carousel, grid, rich text, CTA.)"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class PromoStreamBlock(blocks.StreamBlock):
    rich_text = blocks.RichTextBlock(label=_("Rich text"))
