"""REST API: repeat one of the company's orders into the caller's cart.

``GET /api/v1/p/reorder/orders/<number>/`` previews, ``POST`` adds (``?dry_run=1`` previews
again). Both answer the same report; only the order's own company on this storefront reaches it.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from pipit.api.exceptions import error_responses
from pipit.api.serializers import PriceSerializer
from pipit.api.shopping import api_basket, api_strategy
from pipit.api.views import IsCompanyBuyer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .plugin import analog_limit
from .review import Choices, Offer, Outcome, Report, company_order, preview, repeat, review_order
from .views import plugin_settings

# -- representation (component names prefixed: the schema is shared with other plugins) ---------


class ReorderAnalogSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("Product id: add it with the cart API."))
    sku = serializers.CharField()
    title = serializers.CharField()
    price = PriceSerializer(allow_null=True, help_text=_("Today's price for you; null if none."))
    available = serializers.BooleanField(help_text=_("Whether it can be ordered now."))
    num_available = serializers.IntegerField(allow_null=True)
    restock_date = serializers.DateField(allow_null=True)


class ReorderAddedLineSerializer(serializers.Serializer):
    line_id = serializers.IntegerField(help_text=_("The original order line."))
    product_id = serializers.IntegerField()
    sku = serializers.CharField()
    title = serializers.CharField()
    quantity = serializers.IntegerField(help_text=_("As ordered: never changed."))
    price = PriceSerializer(allow_null=True, help_text=_("Today's unit price for you."))


class ReorderRefusedLineSerializer(serializers.Serializer):
    line_id = serializers.IntegerField(help_text=_("The original order line."))
    sku = serializers.CharField()
    title = serializers.CharField()
    quantity = serializers.IntegerField(help_text=_("As ordered."))
    status = serializers.ChoiceField(
        choices=["short", "unavailable", "discontinued", "refused"],
        help_text=_(
            "short: not enough in stock (see available_quantity); unavailable: out of stock or "
            "not for sale to you now; discontinued: no longer sold on this storefront or "
            "removed; refused: the cart refused it when it was added."
        ),
    )
    reason = serializers.CharField(help_text=_("Why, in the buyer's language."))
    available_quantity = serializers.IntegerField(
        allow_null=True,
        help_text=_("For a short line: how many can be added now, if you choose to."),
    )
    restock_date = serializers.DateField(allow_null=True)
    analogs = ReorderAnalogSerializer(
        many=True, help_text=_("Interchangeable products, best first.")
    )


class ReorderReportSerializer(serializers.Serializer):
    order = serializers.CharField(help_text=_("The order number."))
    dry_run = serializers.BooleanField(help_text=_("True when the cart was left unchanged."))
    added = ReorderAddedLineSerializer(many=True)
    refused = ReorderRefusedLineSerializer(many=True)


class DryRunSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField(required=False, default=False)


def _price(offer: Offer | None) -> dict | None:
    price = offer.price if offer else None
    if price is None:
        return None
    return {
        "currency": price.currency,
        "excl_tax": price.excl_tax,
        "incl_tax": price.incl_tax,
        "tax": price.incl_tax - price.excl_tax,
    }


def _analog(offer: Offer) -> dict:
    return {
        "id": offer.product.pk,
        "sku": offer.sku,
        "title": offer.title,
        "price": _price(offer),
        "available": offer.can_add,
        "num_available": offer.num_available,
        "restock_date": offer.restock_date,
    }


def _added(outcome: Outcome) -> dict:
    return {
        "line_id": outcome.source.pk,
        "product_id": outcome.product.pk,
        "sku": outcome.sku,
        "title": outcome.title,
        "quantity": outcome.quantity,
        "price": _price(outcome.offer),
    }


def _refused(outcome: Outcome) -> dict:
    line = outcome.source
    return {
        "line_id": line.pk,
        "sku": outcome.sku,
        "title": outcome.title,
        "quantity": outcome.quantity,
        "status": outcome.status,
        "reason": outcome.reason,
        "available_quantity": line.available_quantity,
        "restock_date": line.restock_date,
        "analogs": [_analog(analog) for analog in line.analogs],
    }


def report_data(report: Report, *, dry_run: bool) -> dict:
    return ReorderReportSerializer(
        {
            "order": report.order.number,
            "dry_run": dry_run,
            "added": [_added(o) for o in report.added],
            "refused": [_refused(o) for o in report.not_added],
        }
    ).data


# -- view --------------------------------------------------------------------------------------

DRY_RUN = OpenApiParameter(
    "dry_run",
    bool,
    OpenApiParameter.QUERY,
    description="1: report what would be added without changing the cart.",
)


class RepeatOrderAPIView(APIView):
    """Repeat an order of the caller's company: its lines into the cart at today's prices."""

    permission_classes = [IsCompanyBuyer]

    def review(self, request, number: str, basket):
        return review_order(
            company_order(request, number),
            storefront=request.storefront,
            strategy=api_strategy(request),
            basket=basket,
            analog_limit=analog_limit(plugin_settings(request.storefront)),
        )

    @extend_schema(
        operation_id="reorder_preview",
        tags=["orders"],
        summary="Preview repeating an order",
        description=(
            "What POST would do, with the cart unchanged: the lines that would be added as "
            "ordered at today's prices for the caller, and the lines that would not, with the "
            "reason, the quantity available now, the restock date and up to the storefront's "
            "number of analogs (each with its price). Quantities in the cart count against the "
            "stock. Orders of the caller's company on this storefront only (colleagues' too); "
            "any other number answers 404."
        ),
        responses={200: ReorderReportSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, number: str):
        review = self.review(request, number, api_basket(request))
        return Response(report_data(preview(review), dry_run=True))

    @extend_schema(
        operation_id="reorder_create",
        tags=["orders"],
        summary="Repeat an order into the cart",
        description=(
            "Adds every line of the order that can be had as ordered to the caller's cart, at "
            "today's prices for the caller. A quantity is never changed: a line short of stock "
            "is refused with the quantity available now (add that with the cart API if you "
            "want it), unavailable and discontinued lines are refused with their analogs. "
            "With ?dry_run=1 nothing is added (as GET). Orders of the caller's company on this "
            "storefront only; any other number answers 404."
        ),
        request=None,
        parameters=[DRY_RUN],
        responses={200: ReorderReportSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, number: str):
        params = DryRunSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        basket = api_basket(request)
        review = self.review(request, number, basket)
        if params.validated_data["dry_run"]:
            return Response(report_data(preview(review), dry_run=True))
        report = repeat(review, basket, Choices.everything_ready(review))
        return Response(report_data(report, dry_run=False))
