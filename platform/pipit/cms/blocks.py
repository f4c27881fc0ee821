"""Promo StreamField blocks: what marketing builds home and landing pages from.

Block names and their fields are a stored format: the demo loader and existing pages hold
StreamField JSON with them, so rename nothing without a data migration.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Field
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.definition_lookup import BlockDefinitionLookupBuilder
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.fields import StreamField
from wagtail.images.blocks import ImageChooserBlock

from pipit.catalog.listing import ProductCard, card_queryset, product_cards
from pipit.catalog.queries import in_category, products_for_storefront
from pipit.plugins.blocks import plugin_blocks

from .choosers import category_chooser_viewset, product_chooser_viewset

PLACEMENT_CHOICES = [
    ("home_top", _("Home page, top")),
    ("home_middle", _("Home page, middle")),
    ("sidebar", _("Sidebar")),
]

SAFE_LINK_PREFIXES = ("/", "#", "?", "https://", "http://", "mailto:", "tel:")


def is_safe_link(url: str) -> bool:
    # Links come from editors, but a "javascript:" URL would run in every buyer's browser.
    return url.strip().lower().startswith(SAFE_LINK_PREFIXES)


def validate_link(url: str) -> None:
    if url and not is_safe_link(url):
        raise ValidationError(
            _("Enter a path starting with / (e.g. /shop/catalogue/) or a full https:// address.")
        )


ProductChooserBlock = product_chooser_viewset.get_block_class(
    name="ProductChooserBlock", module_path="pipit.cms.blocks"
)
CategoryChooserBlock = category_chooser_viewset.get_block_class(
    name="CategoryChooserBlock", module_path="pipit.cms.blocks"
)


class LinkBlock(blocks.CharBlock):
    """A URL that may be relative to the storefront (``/shop/catalogue/``) or absolute."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 500)
        kwargs.setdefault("validators", [validate_link])
        super().__init__(**kwargs)

    class Meta:
        icon = "link"


class HeroBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), max_length=120)
    text = blocks.TextBlock(label=_("Text"), required=False)
    image = ImageChooserBlock(label=_("Background image"), required=False)
    cta_label = blocks.CharBlock(label=_("Button label"), required=False, max_length=60)
    cta_url = LinkBlock(label=_("Button link"), required=False)
    style = blocks.ChoiceBlock(
        label=_("Style"),
        choices=[("brand", _("Brand color")), ("light", _("Light")), ("dark", _("Dark"))],
        default="brand",
    )

    class Meta:
        icon = "image"
        label = _("Hero banner")
        template = "cms/blocks/hero.html"


def carousel_products(value, request) -> list[ProductCard]:
    """The carousel's products as the viewer sees them, priced by the request's strategy.

    Only products the storefront sells are shown, whatever the block stores; the queries are the
    same for 3 products or 24.
    """
    storefront = getattr(request, "storefront", None)
    if storefront is None:
        return []
    limit = value.get("max_items") or 8
    scoped = card_queryset(products_for_storefront(storefront), storefront)
    if value.get("source") == "category":
        category = value.get("category")
        if category is None:
            return []
        products = list(in_category(scoped, category).order_by("-date_created", "-pk")[:limit])
    else:
        wanted = list(dict.fromkeys(p.pk for p in value.get("products") or [] if p is not None))
        found = scoped.in_bulk(wanted)
        products = [found[pk] for pk in wanted if pk in found][:limit]

    strategy = getattr(request, "strategy", None)
    if strategy is None:
        from pipit.pricing.strategy import Selector

        strategy = Selector().strategy(request=request)
    return product_cards(products, strategy)


class ProductCarouselBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), max_length=120)
    source = blocks.ChoiceBlock(
        label=_("Products from"),
        choices=[("category", _("A category")), ("products", _("A hand-picked list"))],
        default="category",
    )
    category = CategoryChooserBlock(
        label=_("Category"),
        required=False,
        help_text=_("Its subcategories' products are included."),
    )
    products = blocks.ListBlock(ProductChooserBlock(label=_("Product")), label=_("Products"))
    max_items = blocks.IntegerBlock(label=_("Show at most"), default=8, min_value=1, max_value=24)

    class Meta:
        icon = "list-ul"
        label = _("Product carousel")
        template = "cms/blocks/product_carousel.html"

    def clean(self, value):
        value = super().clean(value)
        if value["source"] == "category" and value.get("category") is None:
            raise StructBlockValidationError(
                block_errors={"category": ValidationError(_("Choose a category."))}
            )
        if value["source"] == "products" and not [p for p in value["products"] if p]:
            raise StructBlockValidationError(
                block_errors={"products": ValidationError(_("Choose at least one product."))}
            )
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["cards"] = carousel_products(value, context.get("request"))
        return context


class PromoGridItemBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=120)
    text = blocks.TextBlock(label=_("Text"), required=False)
    image = ImageChooserBlock(label=_("Image"), required=False)
    link_url = LinkBlock(label=_("Link"), required=False)

    class Meta:
        icon = "doc-full"
        label = _("Tile")


class PromoGridBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    items = blocks.ListBlock(PromoGridItemBlock(), label=_("Tiles"))

    class Meta:
        icon = "table"
        label = _("Promo grid")
        template = "cms/blocks/promo_grid.html"


class CallToActionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), max_length=120)
    text = blocks.TextBlock(label=_("Text"), required=False)
    button_label = blocks.CharBlock(label=_("Button label"), max_length=60)
    button_url = LinkBlock(label=_("Button link"))

    class Meta:
        icon = "pick"
        label = _("Call to action")
        template = "cms/blocks/call_to_action.html"


class BannersBlock(blocks.StructBlock):
    placement = blocks.ChoiceBlock(
        label=_("Placement"), choices=PLACEMENT_CHOICES, default="home_top"
    )

    class Meta:
        icon = "pick"
        label = _("Promo banners")
        template = "cms/blocks/banners.html"

    def get_context(self, value, parent_context=None):
        from pipit.companies.access import buyer_company

        from .models import PromoBanner

        context = super().get_context(value, parent_context=parent_context)
        request = context.get("request")
        storefront = getattr(request, "storefront", None)
        if storefront is None:
            context["banners"] = []
        else:
            context["banners"] = PromoBanner.objects.live_for(
                storefront,
                company=buyer_company(getattr(request, "user", None), storefront),
                placement=value["placement"],
            ).select_related("image")
        return context


class PromoStreamBlock(blocks.StreamBlock):
    hero = HeroBlock()
    product_carousel = ProductCarouselBlock()
    promo_grid = PromoGridBlock()
    rich_text = blocks.RichTextBlock(
        label=_("Rich text"), icon="pilcrow", template="cms/blocks/rich_text.html"
    )
    call_to_action = CallToActionBlock()
    banners = BannersBlock()


class PageBodyBlock(PromoStreamBlock):
    """The body of home and landing pages: Pipit's promo blocks plus the installed plugins'
    blocks (:meth:`pipit.plugins.base.Plugin.blocks`), looked up when used, not when the model
    class is defined (plugin code may need the app registry)."""

    @property
    def child_blocks(self):
        return {**self._core_blocks, **plugin_blocks()}

    @child_blocks.setter
    def child_blocks(self, value):
        self._core_blocks = value


class PageBodyField(StreamField):
    """A StreamField of :class:`PageBodyBlock` whose migration state holds Pipit's own blocks
    only, under Wagtail's own field path: plugins come and go without migrations."""

    def __init__(self, block_types=None, **kwargs):
        # ``block_types`` and ``block_lookup`` come back from deconstruct() when Django clones
        # the field; the blocks are always PageBodyBlock's.
        kwargs.pop("block_lookup", None)
        super().__init__(PageBodyBlock(), **kwargs)

    def deconstruct(self):
        # Field.deconstruct, not StreamField's: that one would describe every plugin block too.
        name, _path, _args, kwargs = Field.deconstruct(self)
        core = self.stream_block._core_blocks
        lookup = BlockDefinitionLookupBuilder()
        args = [[(block_name, lookup.add_block(block)) for block_name, block in core.items()]]
        kwargs["block_lookup"] = lookup.get_lookup_as_dict()
        return name, "wagtail.fields.StreamField", args, kwargs
