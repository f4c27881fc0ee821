"""Quick order over the REST API (/api/v1/p/quick_order/…): match a list, add lines to the cart.

The same matching as the page (:mod:`pipit_quick_order.matching`), with the caller's prices and
the storefront's limits; Pipit answers 404 where the plugin is switched off.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from pipit.api.exceptions import error_responses
from pipit.api.serializers import availability_data, price_data
from pipit.api.shopping import api_basket, api_strategy
from pipit.api.views import IsCompanyBuyer
from pipit.companies.access import buyer_company
from pipit.ordering.basket import add_to_basket
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .forms import too_many_lines
from .matching import MatchedLine, MatchResult, Offer, Status, lines_for_cart, match_lines
from .parsing import MAX_QUANTITY, InputLine, ListTooLong, parse_text
from .views import limits_for

# -- representations -------------------------------------------------------------------------


def offer_data(offer: Offer | None, request) -> dict | None:
    if offer is None:
        return None
    return {
        "id": offer.pk,
        "sku": offer.sku,
        "title": offer.title,
        "url": request.build_absolute_uri(offer.url),
        "price": price_data(_Info(offer)),
        "availability": availability_data(_Info(offer)),
        "stock": [
            {
                "warehouse": level.name,
                "city": level.city,
                "quantity": level.available,
                "restock_date": level.restock_date,
            }
            for level in offer.levels
        ],
    }


class _Info:
    """The parts of a PurchaseInfo that Pipit's API representations read."""

    def __init__(self, offer: Offer):
        self.price = offer.price
        self.availability = offer.availability


def line_data(matched: MatchedLine, request) -> dict:
    line = matched.line
    return {
        "number": line.number,
        "text": line.text,
        "sku": line.sku,
        "quantity": matched.quantity,
        "quantity_given": line.quantity_given,
        "status": matched.status.value,
        "status_label": matched.status_label,
        "message": matched.message,
        "product": offer_data(matched.offer, request),
        "via_alias": matched.via_alias or None,
        "restock_date": matched.offer.restock_date if matched.offer else None,
        "merged_into": matched.merged_into,
        "merged_lines": [m.number for m in matched.merged_from],
        "candidates": [offer_data(o, request) for o in matched.candidates],
        "suggestions": [offer_data(o, request) for o in matched.suggestions],
        "analogs": [offer_data(o, request) for o in matched.analogs],
    }


def result_data(result: MatchResult, request) -> dict:
    return {
        "header_skipped": result.header or None,
        "summary": {
            "lines": len(result.lines),
            "ready": len(result.good),
            "ready_quantity": result.good_quantity,
            "by_status": result.counts(),
        },
        "lines": [line_data(m, request) for m in result.lines],
    }


# -- requests --------------------------------------------------------------------------------


class MatchRequestSerializer(serializers.Serializer):
    text = serializers.CharField(
        trim_whitespace=False,
        help_text=gettext_lazy(
            "Lines of SKU and quantity separated by a tab, semicolon, comma or spaces."
        ),
    )

    def validate_text(self, value: str):
        try:
            parsed = parse_text(value, max_lines=self.context["limits"].max_lines)
        except ListTooLong as exc:
            raise serializers.ValidationError(too_many_lines(exc)) from exc
        if not parsed.lines:
            raise serializers.ValidationError(_("There is no line with a SKU."))
        self.parsed = parsed
        return value


class AddLineSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=100)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    product_id = serializers.IntegerField(
        required=False,
        help_text=gettext_lazy("Only when the SKU names several products: which one."),
    )


class AddRequestSerializer(serializers.Serializer):
    lines = AddLineSerializer(many=True, allow_empty=False)

    def validate_lines(self, value):
        limit = self.context["limits"].max_lines
        if len(value) > limit:
            raise serializers.ValidationError(too_many_lines(ListTooLong(len(value), limit)))
        return value


# -- views -----------------------------------------------------------------------------------


class MatchView(APIView):
    permission_classes = [IsCompanyBuyer]

    @extend_schema(
        operation_id="quick_order_match",
        tags=["quick order"],
        summary="Match pasted lines to products",
        description=(
            "Each line with its status (ok, out_of_stock, short, unavailable, unmatched, "
            "ambiguous, bad, merged), the product with the caller's price and stock per "
            "warehouse, and suggestions: look-alike SKUs, analogs, or the products to choose "
            "from. Changes nothing."
        ),
        request=MatchRequestSerializer,
        responses={200: dict, **error_responses(400, 401, 403)},
    )
    def post(self, request):
        limits = limits_for(request.storefront)
        serializer = MatchRequestSerializer(data=request.data, context={"limits": limits})
        serializer.is_valid(raise_exception=True)
        parsed = serializer.parsed
        result = match_lines(
            request.storefront,
            api_strategy(request),
            buyer_company(request.user, request.storefront),
            parsed.lines,
            header=parsed.header,
        )
        return Response(result_data(result, request))


class AddView(APIView):
    permission_classes = [IsCompanyBuyer]

    @extend_schema(
        operation_id="quick_order_add",
        tags=["quick order"],
        summary="Add lines to the cart",
        description=(
            "Adds every line that is ready (known SKU, price, enough stock) with exactly its "
            "quantity; the others are listed under refused with the reason. Lines with the same "
            "product are added up."
        ),
        request=AddRequestSerializer,
        responses={200: dict, **error_responses(400, 401, 403)},
    )
    def post(self, request):
        limits = limits_for(request.storefront)
        serializer = AddRequestSerializer(data=request.data, context={"limits": limits})
        serializer.is_valid(raise_exception=True)
        lines = [
            InputLine(
                number=number,
                text=f"{item['sku']}; {item['quantity']}",
                sku=item["sku"].strip(),
                quantity=item["quantity"],
                chosen=item.get("product_id"),
            )
            for number, item in enumerate(serializer.validated_data["lines"], start=1)
        ]
        basket = api_basket(request)
        result = match_lines(
            request.storefront,
            basket.strategy,
            buyer_company(request.user, request.storefront),
            lines,
        )
        added = add_to_basket(basket, lines_for_cart(result))
        added_ids = {product.pk for product, _quantity in added.added}
        refused_reasons = {line.product.pk: line.reason for line in added.refused}
        response = {"added": [], "refused": []}
        for matched in result.lines:
            data = {
                "number": matched.line.number,
                "sku": matched.line.sku,
                "quantity": matched.line.quantity,
            }
            if matched.status == Status.MERGED:
                data["merged_into"] = matched.merged_into
                target = "added" if matched.offer.pk in added_ids else "refused"
                if target == "refused":
                    data["reason"] = _("Added up with line %(line)d, which was refused.") % {
                        "line": matched.merged_into
                    }
                response[target].append({**data, "product": offer_data(matched.offer, request)})
            elif matched.offer is not None and matched.offer.pk in added_ids:
                response["added"].append(
                    {
                        **data,
                        "quantity": matched.quantity,
                        "product": offer_data(matched.offer, request),
                    }
                )
            else:
                reason = matched.message
                if matched.offer is not None and matched.offer.pk in refused_reasons:
                    reason = refused_reasons[matched.offer.pk]
                response["refused"].append(
                    {**line_data(matched, request), **data, "reason": reason}
                )
        response["added_lines"] = len(added.added)
        response["added_quantity"] = added.added_quantity
        return Response(response)
