"""REST API v1: token, catalog with the caller's prices and stock, cart, orders.

Everything is scoped to ``request.storefront`` (from the host) and the caller's company; an object
outside that scope answers 404 exactly like one that does not exist.
"""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from oscar.apps.catalogue.models import Product
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from pipit.catalog.queries import categories_for_storefront, in_category
from pipit.companies.access import buyer_company
from pipit.companies.models import CompanyAddress
from pipit.ordering.services import place_order
from pipit.ordering.shipping import cart_quote
from pipit.oscar_apps.order.models import Order

from . import serializers as api
from .exceptions import error_responses
from .shopping import (
    api_basket,
    api_products,
    api_strategy,
    in_stock,
    prefetch_variants,
    purchasable_products,
    search,
    with_attribute,
)

ATTRIBUTE_PREFIX = "attr_"


class IsCompanyBuyer(permissions.IsAuthenticated):
    """Carts and orders belong to buyer companies; staff accounts have none.

    Authentication has already refused buyers of other storefronts and of suspended companies
    (401); this is the same rule again, so a view never acts for a company that is not here.
    """

    message = _("Only buyers of a company can use the cart and orders.")

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and _company(request) is not None


def _company(request):
    """The caller's active company on this storefront (see :func:`buyer_company`)."""
    return buyer_company(request.user, request.storefront)


class LoginRateThrottle(AnonRateThrottle):
    # Password guessing through the token endpoint is slowed per client address.
    rate = "20/min"


class Pagination(PageNumberPagination):
    page_size = 24
    page_size_query_param = "page_size"
    max_page_size = 100


# -- auth --------------------------------------------------------------------------------------


class TokenObtainView(APIView):
    """Exchange a buyer's e-mail and password for their API token on this storefront."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [LoginRateThrottle]

    @extend_schema(
        operation_id="auth_token_create",
        tags=["auth"],
        request=api.TokenRequestSerializer,
        responses={200: api.TokenSerializer, **error_responses(400)},
        auth=[],
    )
    def post(self, request):
        serializer = api.TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})


# -- catalog -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        tags=["catalog"],
        summary="List the storefront's products",
        description=(
            "Products of this storefront with the caller's prices and stock. Besides the "
            "parameters below, `attr_<code>=<value>` filters by any product attribute "
            "(e.g. `attr_volume=250`); a product matches when it or one of its variants has it."
        ),
        parameters=[api.ProductFilterSerializer],
        responses={200: api.ProductSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        tags=["catalog"],
        summary="One product of the storefront",
        responses={200: api.ProductSerializer, **error_responses(401, 403, 404)},
    ),
)
class ProductViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = api.ProductSerializer
    pagination_class = Pagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Product.objects.none()
        storefront = self.request.storefront
        qs = api_products(storefront)
        if self.action == "list":
            qs = self.filter_products(qs)
        if "search_rank" in qs.query.annotations:
            return qs.order_by("search_rank", "pk")  # best match first
        return qs.order_by("title", "pk")

    def filter_products(self, qs):
        storefront = self.request.storefront
        params = api.ProductFilterSerializer(
            data=self.request.query_params,
            context={"categories": categories_for_storefront(storefront)},
        )
        params.is_valid(raise_exception=True)
        filters = params.validated_data
        if filters.get("category"):
            qs = in_category(qs, filters["category"])
        if filters.get("q", "").strip():
            qs = search(qs, storefront, filters["q"].strip())
        if filters.get("in_stock"):
            qs = in_stock(qs, storefront)
        if filters.get("brand"):
            qs = with_attribute(qs, "brand", filters["brand"])
        for key, value in self.request.query_params.items():
            if key.startswith(ATTRIBUTE_PREFIX) and len(key) > len(ATTRIBUTE_PREFIX) and value:
                qs = with_attribute(qs, key[len(ATTRIBUTE_PREFIX) :], value)
        return qs

    def get_serializer(self, *args, **kwargs):
        if args and args[0] is not None:
            products = args[0] if isinstance(args[0], list) else [args[0]]
            prefetch_variants(products)
            if not getattr(self, "swagger_fake_view", False):
                api_strategy(self.request).prime(products)  # the page's prices in one query
        return super().get_serializer(*args, **kwargs)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        context["strategy"] = api_strategy(self.request)
        return context


# -- cart --------------------------------------------------------------------------------------


def cart_response(request, code: int = status.HTTP_200_OK, address=None) -> Response:
    # Reload: offers and line prices are recomputed after every change.
    basket = api_basket(request)
    context = {"shipping_quote": cart_quote(request, basket, address)}
    return Response(api.CartSerializer(basket, context=context).data, status=code)


class CartView(APIView):
    permission_classes = [IsCompanyBuyer]

    @extend_schema(
        operation_id="cart_retrieve",
        tags=["cart"],
        summary="The caller's open cart",
        parameters=[
            OpenApiParameter(
                "address",
                int,
                OpenApiParameter.QUERY,
                description=(
                    "Id of a company delivery address: the shipping_methods are for it instead "
                    "of the default address."
                ),
            )
        ],
        responses={200: api.CartSerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request):
        address = None
        value = request.query_params.get("address", "")
        if value:
            if value.isdigit():
                address = CompanyAddress.objects.filter(
                    company=_company(request), kind="delivery", pk=int(value)
                ).first()
            if address is None:
                raise serializers.ValidationError(
                    {"address": [_("Choose one of your company's delivery addresses.")]},
                    code="address",
                )
        return cart_response(request, address=address)


class CartLineListView(APIView):
    permission_classes = [IsCompanyBuyer]

    @extend_schema(
        operation_id="cart_lines_create",
        tags=["cart"],
        summary="Add a product to the cart",
        description="Adds to the line of the same product if there is one. Answers with the cart.",
        request=api.CartLineCreateSerializer,
        responses={201: api.CartSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request):
        basket = api_basket(request)
        serializer = api.CartLineCreateSerializer(
            data=request.data,
            context={"basket": basket, "products": purchasable_products(request.storefront)},
        )
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            basket.add_product(
                serializer.validated_data["product"], serializer.validated_data["quantity"]
            )
        return cart_response(request, status.HTTP_201_CREATED)


class CartLineView(APIView):
    permission_classes = [IsCompanyBuyer]

    def get_line(self, basket, pk: int):
        line = basket.lines.select_related("product", "stockrecord").filter(pk=pk).first()
        if line is None:
            raise Http404
        return line

    @extend_schema(
        operation_id="cart_lines_partial_update",
        tags=["cart"],
        summary="Change a line's quantity",
        description="Quantity 0 removes the line. Answers with the cart.",
        request=api.CartLineUpdateSerializer,
        responses={200: api.CartSerializer, **error_responses(400, 401, 403, 404)},
    )
    def patch(self, request, pk: int):
        basket = api_basket(request)
        line = self.get_line(basket, pk)
        serializer = api.CartLineUpdateSerializer(
            data=request.data, context={"basket": basket, "line": line}
        )
        serializer.is_valid(raise_exception=True)
        quantity = serializer.validated_data["quantity"]
        if quantity == 0:
            line.delete()
        else:
            line.quantity = quantity
            line.save(update_fields=["quantity", "date_updated"])
        return cart_response(request)

    @extend_schema(
        operation_id="cart_lines_destroy",
        tags=["cart"],
        summary="Remove a line",
        responses={204: OpenApiResponse(description="Removed."), **error_responses(401, 403, 404)},
    )
    def delete(self, request, pk: int):
        self.get_line(api_basket(request), pk).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


# -- orders ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        tags=["orders"],
        summary="The company's addresses (ids for placing orders)",
        responses={200: api.AddressSerializer(many=True), **error_responses(401, 403)},
    )
)
class AddressViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsCompanyBuyer]
    serializer_class = api.AddressSerializer
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CompanyAddress.objects.none()
        return CompanyAddress.objects.filter(company=_company(self.request))


@extend_schema_view(
    list=extend_schema(
        tags=["orders"],
        summary="The company's orders on this storefront, newest first",
        responses={200: api.OrderSerializer(many=True), **error_responses(401, 403)},
    ),
    retrieve=extend_schema(
        tags=["orders"],
        summary="One order of the company",
        parameters=[OpenApiParameter("number", str, OpenApiParameter.PATH)],
        responses={200: api.OrderSerializer, **error_responses(401, 403, 404)},
    ),
    create=extend_schema(
        tags=["orders"],
        summary="Place an order from the cart",
        request=api.OrderCreateSerializer,
        responses={201: api.OrderSerializer, **error_responses(400, 401, 403)},
    ),
)
class OrderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsCompanyBuyer]
    serializer_class = api.OrderSerializer
    pagination_class = Pagination
    lookup_field = "number"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Order.objects.none()
        company = _company(self.request)
        return (
            Order.objects.for_company(self.request.storefront, company)
            .select_related("user", "shipping_address")
            .prefetch_related("lines", "status_changes", "discounts")
            .order_by("-date_placed", "-pk")
        )

    def create(self, request, *args, **kwargs):
        company = _company(request)
        params = api.OrderCreateSerializer(
            data=request.data,
            context={"addresses": CompanyAddress.objects.filter(company=company)},
        )
        params.is_valid(raise_exception=True)
        basket = api_basket(request)
        if basket.is_empty:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Your cart is empty.")]}, code="empty"
            )
        # OrderPlacementError is a ValidationError with field-keyed messages: the exception
        # handler turns it into a 400 with those fields.
        data = dict(params.validated_data)
        order = place_order(
            storefront=request.storefront,
            user=request.user,
            basket=basket,
            shipping_method_code=data.pop("shipping_method"),
            **data,
        )
        order = self.get_queryset().get(pk=order.pk)
        return Response(self.get_serializer(order).data, status=status.HTTP_201_CREATED)
