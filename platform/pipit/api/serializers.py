"""API representations. Prices and stock always come from the caller's Oscar strategy."""

from __future__ import annotations

import datetime

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from oscar.apps.catalogue.models import Category, Product, ProductAttributeValue
from oscar.apps.partner.strategy import PurchaseInfo
from rest_framework import serializers

from pipit.catalog.queries import public_variants, purchase_info
from pipit.companies.models import CompanyAddress
from pipit.ordering import statuses
from pipit.oscar_apps.order.models import Order
from pipit.promotions.services import CartPromotions, cart_promotions
from pipit.tenancy.access import user_allowed_on_storefront

# -- auth --------------------------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(label=_("E-mail"))
    password = serializers.CharField(
        label=_("Password"), style={"input_type": "password"}, trim_whitespace=False
    )

    def validate(self, attrs):
        request = self.context["request"]
        user = authenticate(request._request, username=attrs["email"], password=attrs["password"])
        if user is None or not user_allowed_on_storefront(user, request._request.storefront):
            # One message for every refusal: the API does not tell which accounts exist where.
            raise serializers.ValidationError(
                _("Unable to log in with these credentials on this storefront."),
                code="authorization",
            )
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Send as the header 'Authorization: Token <token>'."))


# -- money and stock ---------------------------------------------------------------------------


def _money(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class PriceSerializer(serializers.Serializer):
    currency = serializers.CharField()
    excl_tax = _money()
    incl_tax = _money()
    tax = _money()


class AvailabilitySerializer(serializers.Serializer):
    available = serializers.BooleanField(help_text=_("Whether it can be ordered now."))
    num_available = serializers.IntegerField(allow_null=True)
    message = serializers.CharField()
    restock_date = serializers.DateField(allow_null=True)


class WarehouseStockSerializer(serializers.Serializer):
    warehouse = serializers.CharField()
    city = serializers.CharField()
    quantity = serializers.IntegerField()
    restock_date = serializers.DateField(allow_null=True)


def money_data(currency: str | None, excl_tax, incl_tax) -> dict:
    return PriceSerializer(
        {
            "currency": currency,
            "excl_tax": excl_tax,
            "incl_tax": incl_tax,
            "tax": incl_tax - excl_tax,
        }
    ).data


def price_data(info: PurchaseInfo) -> dict | None:
    price = info.price
    if not price.exists or not price.is_tax_known:
        return None
    return money_data(price.currency, price.excl_tax, price.incl_tax)


class TierSerializer(serializers.Serializer):
    min_quantity = serializers.IntegerField(help_text=_("The price applies from this quantity."))
    excl_tax = serializers.DecimalField(max_digits=14, decimal_places=2)
    incl_tax = serializers.DecimalField(max_digits=14, decimal_places=2)


def tier_data(info: PurchaseInfo) -> list[dict]:
    price = info.price
    if not price.exists or not price.is_tax_known or not hasattr(price, "tiers"):
        return []
    return TierSerializer(
        [{"min_quantity": q, "excl_tax": excl, "incl_tax": incl} for q, excl, incl in price.tiers],
        many=True,
    ).data


def availability_data(info: PurchaseInfo) -> dict:
    availability = info.availability
    return {
        "available": availability.is_available_to_buy,
        "num_available": getattr(availability, "num_available", None),
        "message": str(availability.message),
        "restock_date": getattr(availability, "restock_date", None),
    }


def stock_data(info: PurchaseInfo) -> list[dict]:
    return [
        {
            "warehouse": level.name,
            "city": level.city,
            "quantity": level.available,
            "restock_date": level.restock_date,
        }
        for level in getattr(info.availability, "levels", [])
    ]


# -- catalog -----------------------------------------------------------------------------------


class AttributeSerializer(serializers.Serializer):
    code = serializers.CharField(source="attribute.code")
    name = serializers.CharField(source="attribute.name")
    type = serializers.CharField(source="attribute.type")
    value = serializers.SerializerMethodField()
    display = serializers.CharField(source="value_as_text")

    @extend_schema_field(OpenApiTypes.ANY)
    def get_value(self, obj: ProductAttributeValue):
        """The typed value (number, yes/no, date, option names); other types as text."""
        kind = obj.attribute.type
        if kind in {"text", "integer", "boolean", "float", "richtext"}:
            return obj.value
        if kind in {"date", "datetime"}:
            value = obj.value
            return value.isoformat() if isinstance(value, datetime.date) else None
        if kind == "option":
            return obj.value_option.option if obj.value_option else None
        if kind == "multi_option":
            return [o.option for o in obj.value_multi_option.all()]
        return obj.value_as_text


class CategoryRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug"]


class PurchasableSerializer(serializers.ModelSerializer):
    """A product with the caller's price, availability and stock per warehouse."""

    sku = serializers.SerializerMethodField()
    price_visible = serializers.SerializerMethodField()
    price = serializers.SerializerMethodField()
    tiers = serializers.SerializerMethodField()
    availability = serializers.SerializerMethodField()
    stock = serializers.SerializerMethodField()
    attributes = AttributeSerializer(source="attribute_values", many=True, read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "title",
            "upc",
            "sku",
            "price_visible",
            "price",
            "tiers",
            "availability",
            "stock",
            "attributes",
        ]

    def _info(self, product: Product) -> PurchaseInfo:
        cache = self.context.setdefault("purchase_info", {})
        if product.pk not in cache:
            cache[product.pk] = purchase_info(self.context["strategy"], product)
        return cache[product.pk]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_sku(self, product: Product) -> str | None:
        record = self._info(product).stockrecord
        return record.partner_sku if record else None

    def get_price_visible(self, product: Product) -> bool:
        return not getattr(self._info(product).price, "hidden", False)

    @extend_schema_field(PriceSerializer(allow_null=True))
    def get_price(self, product: Product) -> dict | None:
        return price_data(self._info(product))

    @extend_schema_field(TierSerializer(many=True))
    def get_tiers(self, product: Product) -> list[dict]:
        """The caller's price by quantity (one entry when the price does not depend on it)."""
        return tier_data(self._info(product))

    @extend_schema_field(AvailabilitySerializer)
    def get_availability(self, product: Product) -> dict:
        return availability_data(self._info(product))

    @extend_schema_field(WarehouseStockSerializer(many=True))
    def get_stock(self, product: Product) -> list[dict]:
        return stock_data(self._info(product))


class VariantSerializer(PurchasableSerializer):
    pass


class ProductSerializer(PurchasableSerializer):
    structure = serializers.ChoiceField(choices=Product.STRUCTURE_CHOICES, read_only=True)
    product_class = serializers.CharField(source="product_class.name", allow_null=True)
    categories = CategoryRefSerializer(many=True, read_only=True)
    variants = serializers.SerializerMethodField()

    class Meta(PurchasableSerializer.Meta):
        fields = [
            *PurchasableSerializer.Meta.fields,
            "structure",
            "description",
            "product_class",
            "categories",
            "variants",
        ]

    @extend_schema_field(VariantSerializer(many=True))
    def get_variants(self, product: Product) -> list[dict]:
        return VariantSerializer(public_variants(product), many=True, context=self.context).data


class ProductFilterSerializer(serializers.Serializer):
    """Query parameters of the product list (``attr_<code>=<value>`` filters come on top)."""

    category = serializers.IntegerField(
        required=False, help_text=_("Category id; products of its subcategories are included.")
    )
    q = serializers.CharField(
        required=False,
        help_text=_("Search by title, SKU, brand or attributes; exact SKU matches come first."),
    )
    in_stock = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("true: only what can be ordered now."),
    )
    brand = serializers.CharField(required=False, help_text=_("Value of the 'brand' attribute."))

    def validate_category(self, value: int) -> Category:
        category = self.context["categories"].filter(pk=value).first()
        if category is None:
            raise serializers.ValidationError(_("No such category in this catalog."))
        return category


# -- cart --------------------------------------------------------------------------------------


class ProductRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "title", "upc"]


class CartLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    product = ProductRefSerializer()
    sku = serializers.CharField(source="stockrecord.partner_sku", allow_null=True)
    quantity = serializers.IntegerField()
    unit_price = serializers.SerializerMethodField()
    line_total = serializers.SerializerMethodField()
    warning = serializers.SerializerMethodField()

    @extend_schema_field(PriceSerializer)
    def get_unit_price(self, line) -> dict:
        return money_data(line.price_currency, line.unit_price_excl_tax, line.unit_price_incl_tax)

    @extend_schema_field(PriceSerializer)
    def get_line_total(self, line) -> dict:
        return money_data(
            line.price_currency,
            line.line_price_excl_tax_incl_discounts,
            line.line_price_incl_tax_incl_discounts,
        )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_warning(self, line) -> str | None:
        """Oscar's note when the price changed or the item ran out since it was added."""
        warning = line.get_warning()
        return str(warning) if warning else None


class CartTotalsSerializer(serializers.Serializer):
    currency = serializers.CharField(allow_null=True)
    excl_tax = _money()
    incl_tax = _money()
    tax = _money()
    discount = _money()
    num_lines = serializers.IntegerField()
    num_items = serializers.IntegerField()


class ShippingMethodSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Send it as shipping_method when placing the order."))
    name = serializers.CharField()
    description = serializers.CharField()
    priced_separately = serializers.BooleanField(
        help_text=_("The supplier prices the delivery separately; nothing is charged on the order.")
    )
    cost = PriceSerializer()


def shipping_methods_data(shipping_quote) -> list[dict]:
    """The delivery options of a :class:`~pipit.ordering.shipping.ShippingQuote`, first = default."""
    if shipping_quote is None:
        return []
    return ShippingMethodSerializer(
        [
            {
                "code": option.code,
                "name": option.name,
                "description": option.description,
                "priced_separately": option.priced_separately,
                "cost": money_data(
                    option.charge.currency, option.charge.excl_tax, option.charge.incl_tax
                ),
            }
            for option in shipping_quote.options
        ],
        many=True,
    ).data


class CartPromotionSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField()
    discount = _money(help_text=_("Taken off the cart, including VAT."))
    currency = serializers.CharField()


class CartThresholdSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=_("The promotion the buyer gets on reaching it."))
    missing_amount = _money(
        help_text=_("What is missing to the threshold: cart products including VAT.")
    )
    currency = serializers.CharField()
    message = serializers.CharField(help_text=_("The hint as the cart page words it."))


class CartSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    lines = serializers.SerializerMethodField()
    totals = serializers.SerializerMethodField()
    promotions = serializers.SerializerMethodField(
        help_text=_("Order promotions applied to the cart, with what each takes off.")
    )
    next_threshold = serializers.SerializerMethodField(
        help_text=_(
            "The next threshold promotion the buyer has not reached yet, and how much is "
            "missing; null when there is none."
        )
    )
    shipping_methods = serializers.SerializerMethodField(
        help_text=_(
            "Delivery methods for the cart to the company's default delivery address (or the "
            "address asked for), the default first; empty when the cart cannot be delivered there."
        )
    )

    @extend_schema_field(CartLineSerializer(many=True))
    def get_lines(self, basket) -> list[dict]:
        return CartLineSerializer(basket.all_lines(), many=True, context=self.context).data

    @extend_schema_field(CartTotalsSerializer)
    def get_totals(self, basket) -> dict:
        return CartTotalsSerializer(
            {
                "currency": basket.currency,
                "excl_tax": basket.total_excl_tax,
                "incl_tax": basket.total_incl_tax,
                "tax": basket.total_tax,
                "discount": basket.total_discount,
                "num_lines": basket.num_lines,
                "num_items": basket.num_items,
            }
        ).data

    def _promotions(self, basket) -> CartPromotions:
        # Both fields read one summary of the cart's promotions.
        summary = self.__dict__.get("_promotions_summary")
        if summary is None:
            summary = self.__dict__["_promotions_summary"] = cart_promotions(basket)
        return summary

    @extend_schema_field(CartPromotionSerializer(many=True))
    def get_promotions(self, basket) -> list[dict]:
        applied = self._promotions(basket).applied
        return CartPromotionSerializer(
            [
                {
                    "name": p.name,
                    "description": p.description,
                    "discount": p.discount,
                    "currency": p.currency,
                }
                for p in applied
            ],
            many=True,
        ).data

    @extend_schema_field(CartThresholdSerializer(allow_null=True))
    def get_next_threshold(self, basket) -> dict | None:
        hint = self._promotions(basket).next_threshold
        if hint is None:
            return None
        return CartThresholdSerializer(
            {
                "name": hint.name,
                "missing_amount": hint.missing_amount,
                "currency": hint.currency,
                "message": hint.message,
            }
        ).data

    @extend_schema_field(ShippingMethodSerializer(many=True))
    def get_shipping_methods(self, basket) -> list[dict]:
        return shipping_methods_data(self.context.get("shipping_quote"))


def check_purchase(basket, product: Product, quantity: int, *, field: str = "quantity") -> None:
    """Raise a field error unless ``quantity`` of ``product`` may be in ``basket`` in total."""
    if product.is_parent:
        raise serializers.ValidationError(
            {"product": [_("Choose a variant of this product.")]}, code="parent"
        )
    info = basket.strategy.fetch_for_product(product)
    if not info.price.exists or info.stockrecord is None:
        raise serializers.ValidationError(
            {"product": [_("This product has no price here and cannot be ordered.")]},
            code="unavailable",
        )
    permitted, reason = info.availability.is_purchase_permitted(quantity)
    if not permitted:
        raise serializers.ValidationError({field: [str(reason)]}, code="not_permitted")
    allowed, reason = basket.is_quantity_allowed(quantity)
    if not allowed:
        raise serializers.ValidationError({field: [str(reason)]}, code="threshold")


class CartLineCreateSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.none())
    quantity = serializers.IntegerField(min_value=1, max_value=100_000, default=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the storefront's products: anything else is "does not exist", not a leak.
        if "products" in self.context:
            self.fields["product"].queryset = self.context["products"]

    def validate(self, attrs):
        basket = self.context["basket"]
        total = basket.product_quantity(attrs["product"]) + attrs["quantity"]
        check_purchase(basket, attrs["product"], total)
        return attrs


class CartLineUpdateSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(
        min_value=0, max_value=100_000, help_text=_("0 removes the line.")
    )

    def validate(self, attrs):
        line = self.context["line"]
        if attrs["quantity"] > 0:
            basket = self.context["basket"]
            others = basket.product_quantity(line.product) - line.quantity
            check_purchase(basket, line.product, others + attrs["quantity"])
        return attrs


# -- orders ------------------------------------------------------------------------------------


class OrderLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    product = serializers.IntegerField(source="product_id", allow_null=True)
    title = serializers.CharField()
    upc = serializers.CharField(allow_null=True)
    sku = serializers.CharField(source="partner_sku")
    quantity = serializers.IntegerField()
    status = serializers.CharField()
    unit_price_excl_tax = _money()
    unit_price_incl_tax = _money()
    line_price_excl_tax = _money()
    line_price_incl_tax = _money()


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    at = serializers.DateTimeField()


class OrderAddressSerializer(serializers.Serializer):
    name = serializers.CharField()
    line1 = serializers.CharField()
    line2 = serializers.CharField()
    line3 = serializers.CharField()
    city = serializers.CharField(source="line4")
    state = serializers.CharField()
    postcode = serializers.CharField()
    country = serializers.CharField(source="country_id", allow_null=True)
    phone = serializers.CharField(source="phone_number", allow_null=True)
    notes = serializers.CharField()


class OrderTotalsSerializer(serializers.Serializer):
    currency = serializers.CharField()
    excl_tax = _money(source="total_excl_tax")
    incl_tax = _money(source="total_incl_tax")
    tax = _money(source="total_tax")
    shipping_excl_tax = _money()
    shipping_incl_tax = _money()
    discount = _money(source="total_discount_incl_tax")


class OrderShippingMethodSerializer(serializers.Serializer):
    code = serializers.CharField(source="shipping_code")
    name = serializers.CharField(source="shipping_method")


class OrderDiscountSerializer(serializers.Serializer):
    name = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField()


class OrderSerializer(serializers.ModelSerializer):
    placed_at = serializers.DateTimeField(source="date_placed")
    comment = serializers.CharField(source="buyer_comment")
    placed_by = serializers.SerializerMethodField()
    status_label = serializers.SerializerMethodField()
    status_timeline = serializers.SerializerMethodField()
    lines = OrderLineSerializer(many=True, read_only=True)
    discounts = serializers.SerializerMethodField()
    totals = OrderTotalsSerializer(source="*", read_only=True)
    shipping_address = OrderAddressSerializer(allow_null=True, read_only=True)
    shipping_method = OrderShippingMethodSerializer(
        source="*",
        read_only=True,
        help_text=_("How the order is delivered; its charge is in totals.shipping_incl_tax."),
    )

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "status",
            "status_label",
            "status_timeline",
            "placed_at",
            "placed_by",
            "po_number",
            "requested_delivery_date",
            "comment",
            "lines",
            "discounts",
            "totals",
            "shipping_address",
            "shipping_method",
        ]
        read_only_fields = fields

    @extend_schema_field(OrderDiscountSerializer(many=True))
    def get_discounts(self, order: Order) -> list[dict]:
        """The promotions applied to the order, by name, with what each took off (incl. VAT)."""
        return OrderDiscountSerializer(
            [
                {"name": d.offer_name, "amount": d.amount, "currency": order.currency}
                for d in order.discounts.all()
            ],
            many=True,
        ).data

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_placed_by(self, order: Order) -> str | None:
        return order.user.email if order.user else None

    @extend_schema_field(StatusChangeSerializer(many=True))
    def get_status_timeline(self, order: Order) -> list[dict]:
        """Every status the order went through, oldest first, starting with the one it was placed in."""
        changes = sorted(order.status_changes.all(), key=lambda c: (c.date_created, c.pk))
        first = changes[0].old_status if changes else order.status
        steps = [(first, order.date_placed)] if first else []
        steps += [(change.new_status, change.date_created) for change in changes]
        return StatusChangeSerializer(
            [{"status": s, "label": statuses.label(s), "at": at} for s, at in steps], many=True
        ).data

    def get_status_label(self, order: Order) -> str:
        return statuses.label(order.status)


class AddressSerializer(serializers.ModelSerializer):
    class Meta:
        model = CompanyAddress
        fields = [
            "id",
            "label",
            "kind",
            "postcode",
            "city",
            "line1",
            "line2",
            "contact_name",
            "contact_phone",
            "is_default",
        ]


class OrderCreateSerializer(serializers.Serializer):
    shipping_address = serializers.PrimaryKeyRelatedField(
        queryset=CompanyAddress.objects.none(),
        help_text=_("Id of one of the company's addresses."),
        error_messages={"does_not_exist": _("Choose one of your company's delivery addresses.")},
    )
    po_number = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    requested_delivery_date = serializers.DateField(required=False, allow_null=True, default=None)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    shipping_method = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=128,
        help_text=_(
            "Code of one of the cart's shipping_methods for this address; the first when omitted."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "addresses" in self.context:
            self.fields["shipping_address"].queryset = self.context["addresses"]
