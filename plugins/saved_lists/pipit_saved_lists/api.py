"""REST API at /api/v1/p/saved_lists/ (Pipit answers 404 where the plugin is switched off).

For buyers of a company (``IsCompanyBuyer``); every list is looked up in the caller's company
on this storefront, so another company's or storefront's list is a 404. Bad input is a 400 with
messages per field (Pipit's error shape: ``{"detail": ..., "errors": {field: [...]}}``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from pipit.api.shopping import api_basket, api_strategy
from pipit.api.views import IsCompanyBuyer, Pagination
from pipit.companies.access import buyer_company
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from . import services
from .models import NAME_MAX_LENGTH, SavedList
from .services import MAX_QUANTITY, NewItem

TAGS = ["saved lists"]


# -- input --------------------------------------------------------------------------------------


class SavedListItemInputSerializer(serializers.Serializer):
    product = serializers.IntegerField(
        required=False,
        help_text=_("Product id (for a product with variants: the variant's id)."),
    )
    sku = serializers.CharField(required=False, max_length=128, help_text=_("Or the SKU."))
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY, default=1)
    note = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")

    def validate(self, attrs):
        storefront = self.context["storefront"]
        if attrs.get("product") is not None:
            product = services.purchasable(storefront).filter(pk=attrs["product"]).first()
            if product is None:
                raise serializers.ValidationError(
                    {"product": [_("No such product is sold on this storefront.")]}
                )
        elif attrs.get("sku"):
            product = services.find_by_sku(storefront, attrs["sku"])
            if product is None:
                raise serializers.ValidationError(
                    {"sku": [_("No product with this SKU is sold on this storefront.")]}
                )
        else:
            raise serializers.ValidationError(
                {"product": [_("Give a product id or a SKU.")]}, code="required"
            )
        attrs["item"] = NewItem(product, attrs["quantity"], note=attrs.get("note", ""))
        return attrs


class SavedListCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=NAME_MAX_LENGTH)
    description = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    items = SavedListItemInputSerializer(many=True, required=False)


class SavedListUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=NAME_MAX_LENGTH, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class SavedListItemUpdateSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY, required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=255)
    sort_order = serializers.IntegerField(min_value=0, required=False)


class SavedListAddToCartSerializer(serializers.Serializer):
    items = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text=_("Ids of the list's items to add; all items when left out."),
    )


# -- output -------------------------------------------------------------------------------------


class SavedListMoneySerializer(serializers.Serializer):
    currency = serializers.CharField()
    excl_tax = serializers.DecimalField(max_digits=14, decimal_places=2)
    incl_tax = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class SavedListAvailabilitySerializer(serializers.Serializer):
    available = serializers.BooleanField()
    num_available = serializers.IntegerField(allow_null=True)
    message = serializers.CharField()


class SavedListItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="item.pk")
    product = serializers.IntegerField(source="item.product_id", allow_null=True)
    sku = serializers.CharField(source="item.sku")
    title = serializers.CharField()
    quantity = serializers.IntegerField(source="item.quantity")
    note = serializers.CharField(source="item.note")
    sort_order = serializers.IntegerField(source="item.sort_order")
    sold_here = serializers.SerializerMethodField(
        help_text=_("False when the product is no longer sold on this storefront.")
    )
    unit_price = serializers.SerializerMethodField(help_text=_("Today's price for the caller."))
    availability = serializers.SerializerMethodField()

    def get_sold_here(self, row) -> bool:
        return row.product is not None

    @extend_schema_field(SavedListMoneySerializer(allow_null=True))
    def get_unit_price(self, row):
        price = row.unit_price
        if price is None:
            return None
        return {
            "currency": price.currency,
            "excl_tax": f"{price.excl_tax:.2f}",
            "incl_tax": f"{price.incl_tax:.2f}" if price.is_tax_known else None,
        }

    @extend_schema_field(SavedListAvailabilitySerializer(allow_null=True))
    def get_availability(self, row):
        if row.product is None:
            return None
        availability = row.info.availability
        return {
            "available": availability.is_available_to_buy,
            "num_available": getattr(availability, "num_available", None),
            "message": str(availability.message),
        }


class SavedListSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    item_count = serializers.IntegerField()
    created_by = serializers.SerializerMethodField()
    updated_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_created_by(self, saved_list) -> str | None:
        return _person(saved_list.created_by)

    def get_updated_by(self, saved_list) -> str | None:
        return _person(saved_list.updated_by)


class SavedListDetailSerializer(SavedListSummarySerializer):
    items = serializers.SerializerMethodField()

    @extend_schema_field(SavedListItemSerializer(many=True))
    def get_items(self, saved_list):
        return SavedListItemSerializer(self.context["rows"], many=True).data


class SavedListCartLineReportSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    product = serializers.IntegerField(allow_null=True)
    sku = serializers.CharField()
    title = serializers.CharField()
    quantity = serializers.IntegerField()
    reason = serializers.CharField(required=False)


class SavedListCartReportSerializer(serializers.Serializer):
    added = SavedListCartLineReportSerializer(many=True)
    refused = SavedListCartLineReportSerializer(many=True)


def _person(user) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.email


# -- views --------------------------------------------------------------------------------------


class CompanyListsMixin:
    permission_classes = [IsCompanyBuyer]

    def company(self):
        return buyer_company(self.request.user, self.request.storefront)

    def get_list(self, pk) -> SavedList:
        return services.get_list(self.request.storefront, self.company(), pk)

    def detail_response(self, saved_list, code=status.HTTP_200_OK) -> Response:
        saved_list = (
            services.lists_with_counts(self.request.storefront, self.company())
            .filter(pk=saved_list.pk)
            .get()
        )
        items = saved_list.items.order_by("sort_order", "pk")
        rows = services.item_rows(self.request.storefront, api_strategy(self.request), items)
        data = SavedListDetailSerializer(saved_list, context={"rows": rows}).data
        return Response(data, status=code)


class ListsView(CompanyListsMixin, APIView):
    @extend_schema(
        operation_id="saved_lists_list",
        tags=TAGS,
        summary="The company's saved lists, latest change first",
        responses={200: SavedListSummarySerializer(many=True)},
    )
    def get(self, request):
        lists = services.lists_with_counts(request.storefront, self.company())
        paginator = Pagination()
        page = paginator.paginate_queryset(lists, request, view=self)
        return paginator.get_paginated_response(SavedListSummarySerializer(page, many=True).data)

    @extend_schema(
        operation_id="saved_lists_create",
        tags=TAGS,
        summary="Create a list, optionally with items",
        request=SavedListCreateSerializer,
        responses={201: SavedListDetailSerializer},
    )
    def post(self, request):
        params = SavedListCreateSerializer(
            data=request.data, context={"storefront": request.storefront}
        )
        params.is_valid(raise_exception=True)
        data = params.validated_data
        saved_list = services.create_list(
            storefront=request.storefront,
            company=self.company(),
            user=request.user,
            name=data["name"],
            description=data.get("description", ""),
            items=[entry["item"] for entry in data.get("items", [])],
            limits=services.limits_for(request.storefront),
        )
        return self.detail_response(saved_list, status.HTTP_201_CREATED)


class ListView(CompanyListsMixin, APIView):
    @extend_schema(
        operation_id="saved_lists_retrieve",
        tags=TAGS,
        summary="One list with its items at today's prices for the caller",
        responses={200: SavedListDetailSerializer},
    )
    def get(self, request, pk: int):
        return self.detail_response(self.get_list(pk))

    @extend_schema(
        operation_id="saved_lists_partial_update",
        tags=TAGS,
        summary="Rename a list or change its description",
        request=SavedListUpdateSerializer,
        responses={200: SavedListDetailSerializer},
    )
    def patch(self, request, pk: int):
        saved_list = self.get_list(pk)
        params = SavedListUpdateSerializer(data=request.data, partial=True)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        services.rename_list(
            saved_list,
            name=data.get("name", saved_list.name),
            description=data.get("description"),
            user=request.user,
        )
        return self.detail_response(saved_list)

    @extend_schema(
        operation_id="saved_lists_destroy",
        tags=TAGS,
        summary="Delete a list (its creator or a company admin)",
        responses={204: OpenApiResponse(description="Deleted.")},
    )
    def delete(self, request, pk: int):
        saved_list = self.get_list(pk)
        if not services.can_delete(saved_list, request.user):
            raise PermissionDenied(
                _("Only the colleague who created this list or a company admin can delete it.")
            )
        saved_list.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class ListItemsView(CompanyListsMixin, APIView):
    @extend_schema(
        operation_id="saved_lists_items_create",
        tags=TAGS,
        summary="Add a product (by id or SKU); a product already in the list gets the quantity added",
        request=SavedListItemInputSerializer,
        responses={201: SavedListDetailSerializer},
    )
    def post(self, request, pk: int):
        saved_list = self.get_list(pk)
        params = SavedListItemInputSerializer(
            data=request.data, context={"storefront": request.storefront}
        )
        params.is_valid(raise_exception=True)
        services.add_items(
            saved_list,
            [params.validated_data["item"]],
            user=request.user,
            limits=services.limits_for(request.storefront),
        )
        return self.detail_response(saved_list, status.HTTP_201_CREATED)


class ListItemView(CompanyListsMixin, APIView):
    def get_item(self, saved_list, item_pk):
        item = saved_list.items.filter(pk=item_pk).first()
        if item is None:
            raise Http404
        return item

    @extend_schema(
        operation_id="saved_lists_items_partial_update",
        tags=TAGS,
        summary="Change an item's quantity, note or position",
        request=SavedListItemUpdateSerializer,
        responses={200: SavedListDetailSerializer},
    )
    def patch(self, request, pk: int, item_pk: int):
        saved_list = self.get_list(pk)
        item = self.get_item(saved_list, item_pk)
        params = SavedListItemUpdateSerializer(data=request.data, partial=True)
        params.is_valid(raise_exception=True)
        for name, value in params.validated_data.items():
            setattr(item, name, value)
        with transaction.atomic():
            item.save(update_fields=list(params.validated_data) or None)
            services.touch(saved_list, request.user)
        return self.detail_response(saved_list)

    @extend_schema(
        operation_id="saved_lists_items_destroy",
        tags=TAGS,
        summary="Remove an item from the list",
        responses={204: OpenApiResponse(description="Removed.")},
    )
    def delete(self, request, pk: int, item_pk: int):
        saved_list = self.get_list(pk)
        with transaction.atomic():
            self.get_item(saved_list, item_pk).delete()
            services.touch(saved_list, request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AddToCartView(CompanyListsMixin, APIView):
    @extend_schema(
        operation_id="saved_lists_add_to_cart",
        tags=TAGS,
        summary="Put the list's items (all, or the ones named) in the caller's cart",
        description=(
            "Each item goes in with the list's quantity at today's price, or is refused with the "
            "reason (not sold here any more, price hidden, not enough stock); a quantity is "
            "never reduced. The list is not changed."
        ),
        request=SavedListAddToCartSerializer,
        responses={200: SavedListCartReportSerializer},
    )
    def post(self, request, pk: int):
        saved_list = self.get_list(pk)
        params = SavedListAddToCartSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        items = list(saved_list.items.order_by("sort_order", "pk"))
        wanted = params.validated_data.get("items")
        if wanted is not None:
            known = {item.pk for item in items}
            unknown = sorted(set(wanted) - known)
            if unknown:
                raise serializers.ValidationError(
                    {
                        "items": [
                            _("Not items of this list: %(ids)s.")
                            % {"ids": ", ".join(str(pk) for pk in unknown)}
                        ]
                    }
                )
            items = [item for item in items if item.pk in set(wanted)]
        rows = services.item_rows(request.storefront, api_strategy(request), items)
        outcome = services.add_list_to_basket(request.storefront, api_basket(request), rows)
        rows_by_item = {row.item.pk: row for row in rows}
        return Response(
            {
                "added": [
                    _line(rows_by_item[item.pk], quantity) for item, quantity in outcome.added
                ],
                "refused": [
                    {**_line(row, row.item.quantity), "reason": str(reason)}
                    for row, reason in outcome.refused
                ],
            }
        )


def _line(row, quantity: int) -> dict:
    return {
        "item": row.item.pk,
        "product": row.item.product_id,
        "sku": row.item.sku,
        "title": row.title,
        "quantity": quantity,
    }
