"""REST API: contract price imports, for a CRM or ERP that sends its contract prices as a file.

``POST /api/v1/pricing/contract-imports/`` uploads a CSV or XLSX file into a company list of the
storefront of the request's host and checks it (a dry run by default) or applies it;
``GET .../{id}/`` follows a large file's progress; ``POST .../{id}/apply/`` applies a checked
import whose rows were all accepted. Staff only: the admin or pricing role on this storefront, or
a platform superuser; with a token (``POST /api/v1/auth/token/``) or the admin session.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from pipit.api.exceptions import ErrorSerializer, error_responses

from . import imports
from .models import PriceImport, PriceList


class IsPricingStaff(permissions.IsAuthenticated):
    """The admin or pricing role on the storefront of the request's host (or a superuser)."""

    message = _(
        "Only staff with the pricing or admin role on this storefront can import contract prices."
    )

    def has_permission(self, request, view) -> bool:
        storefront = getattr(request, "storefront", None)
        return (
            super().has_permission(request, view)
            and storefront is not None
            and storefront.pk in imports.import_storefront_ids(request.user)
        )


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This import cannot be applied.")
    default_code = "conflict"


# -- serializers -----------------------------------------------------------------------------


class ContractImportCreateSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_(
            "CSV (UTF-8 or Windows-1251; semicolons, commas or tabs) or XLSX. The first row "
            "names the columns: company (INN, INN/KPP or code), sku, price, and optionally "
            "min_quantity, valid_from, valid_to (Russian names work too)."
        )
    )
    price_list = serializers.PrimaryKeyRelatedField(
        queryset=PriceList.objects.none(),
        required=False,
        allow_null=True,
        help_text=_(
            "Id of a company contract price list of this storefront. Leave it out to create a "
            "new draft list named after the file (on apply)."
        ),
    )
    dry_run = serializers.BooleanField(
        default=True,
        help_text=_("Check and report only (the default). false: apply when no row is rejected."),
    )
    replace = serializers.BooleanField(
        default=False,
        help_text=_("Delete the list's other rows for the companies in the file."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        storefront = self.context.get("storefront")
        if storefront is not None:
            self.fields["price_list"].queryset = PriceList.objects.for_storefront(storefront)

    def validate_price_list(self, value: PriceList | None) -> PriceList | None:
        if value is not None and value.kind != PriceList.Kind.COMPANY:
            raise serializers.ValidationError(
                _("Choose a company contract price list: this one is a %(kind)s.")
                % {"kind": value.get_kind_display().lower()},
                code="kind",
            )
        return value

    def validate_file(self, upload):
        try:
            imports.check_upload(upload)
        except imports.UnreadableFile as error:
            raise serializers.ValidationError(str(error), code="unreadable") from error
        return upload


class RejectedRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        help_text=_("The row as the file shows it: the header is row 1.")
    )
    column = serializers.CharField(
        help_text=_("The column's name in the file; empty for the row as a whole.")
    )
    field = serializers.CharField(
        help_text=_(
            "company, kpp, sku, price, min_quantity, valid_from or valid_to; empty for the row "
            "as a whole (a repeated row)."
        )
    )
    value = serializers.CharField(help_text=_("The cell as written."))
    reason = serializers.CharField()


class RowCountsSerializer(serializers.Serializer):
    create = serializers.IntegerField()
    update = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    delete = serializers.IntegerField()


class ContractImportSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField(
        help_text=_(
            "queued, checking, checked (dry run done), applying, applied, or failed (see error)."
        )
    )
    dry_run = serializers.SerializerMethodField()
    file_name = serializers.CharField(source="original_name")
    price_list_name = serializers.SerializerMethodField()
    processed_rows = serializers.SerializerMethodField(
        help_text=_("Rows checked (or written, while applying) so far.")
    )
    rejected_rows = serializers.SerializerMethodField(
        help_text=_("The problems of the first 200 rejected rows; the counts are always exact.")
    )
    plan = serializers.SerializerMethodField(
        help_text=_("What applying would do to the list's rows (after a dry run).")
    )
    result = serializers.SerializerMethodField(help_text=_("What applying did (once applied)."))
    can_apply = serializers.BooleanField(read_only=True)
    url = serializers.SerializerMethodField()
    apply_url = serializers.SerializerMethodField()

    class Meta:
        model = PriceImport
        fields = [
            "id",
            "status",
            "dry_run",
            "file_name",
            "price_list",
            "price_list_name",
            "creates_list",
            "replace",
            "total_rows",
            "processed_rows",
            "accepted",
            "rejected",
            "rejected_rows",
            "plan",
            "result",
            "can_apply",
            "error",
            "created_at",
            "finished_at",
            "url",
            "apply_url",
        ]
        read_only_fields = fields

    def _progress(self, obj: PriceImport) -> tuple[str, int, int]:
        cache = self.context.setdefault("_progress", {})
        if obj.pk not in cache:
            cache[obj.pk] = imports.live_progress(obj)
        return cache[obj.pk]

    @extend_schema_field(serializers.ChoiceField(choices=PriceImport.Status.choices))
    def get_status(self, obj: PriceImport) -> str:
        return self._progress(obj)[0]

    def get_dry_run(self, obj: PriceImport) -> bool:
        return obj.mode == PriceImport.Mode.DRY_RUN

    @extend_schema_field(OpenApiTypes.STR)
    def get_price_list_name(self, obj: PriceImport) -> str:
        return obj.price_list.name if obj.price_list else ""

    def get_processed_rows(self, obj: PriceImport) -> int:
        return self._progress(obj)[1]

    @extend_schema_field(RejectedRowSerializer(many=True))
    def get_rejected_rows(self, obj: PriceImport) -> list[dict]:
        return (obj.report or {}).get("rejected_rows", [])

    @extend_schema_field(RowCountsSerializer(allow_null=True))
    def get_plan(self, obj: PriceImport) -> dict | None:
        return (obj.report or {}).get("plan")

    @extend_schema_field(RowCountsSerializer(allow_null=True))
    def get_result(self, obj: PriceImport) -> dict | None:
        return (obj.report or {}).get("result")

    def _absolute(self, url: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    def get_url(self, obj: PriceImport) -> str:
        return self._absolute(reverse("api:contract-import-detail", args=[obj.pk]))

    def get_apply_url(self, obj: PriceImport) -> str:
        return self._absolute(reverse("api:contract-import-apply", args=[obj.pk]))


# -- views -----------------------------------------------------------------------------------

_EXAMPLE_REJECTED = {
    "id": 42,
    "status": "checked",
    "dry_run": True,
    "file_name": "contracts-2025.csv",
    "price_list": 7,
    "price_list_name": "Contract prices 2025",
    "creates_list": False,
    "replace": False,
    "total_rows": 3,
    "processed_rows": 3,
    "accepted": 2,
    "rejected": 1,
    "rejected_rows": [
        {
            "row": 4,
            "column": "Артикул",
            "field": "sku",
            "value": "DRL-404",
            "reason": "No product of this storefront has this SKU.",
        }
    ],
    "plan": {"create": 2, "update": 0, "unchanged": 0, "delete": 0},
    "result": None,
    "can_apply": False,
    "error": "",
    "created_at": "2025-03-01T10:00:00+03:00",
    "finished_at": "2025-03-01T10:00:01+03:00",
    "url": "https://shop.example/api/v1/pricing/contract-imports/42/",
    "apply_url": "https://shop.example/api/v1/pricing/contract-imports/42/apply/",
}
_EXAMPLE_APPLIED = {
    **_EXAMPLE_REJECTED,
    "status": "applied",
    "dry_run": False,
    "accepted": 3,
    "rejected": 0,
    "rejected_rows": [],
    "plan": {"create": 2, "update": 1, "unchanged": 0, "delete": 0},
    "result": {"create": 2, "update": 1, "unchanged": 0, "delete": 0},
}
_CONFLICT = OpenApiResponse(
    ErrorSerializer,
    description=_("Not applicable: rows are rejected, or it is applied, running or failed."),
)


class Pagination(PageNumberPagination):
    page_size = 24
    page_size_query_param = "page_size"
    max_page_size = 100


@extend_schema_view(
    list=extend_schema(
        operation_id="contract_imports_list",
        tags=["pricing"],
        summary="Contract price imports of this storefront, newest first",
        responses={200: ContractImportSerializer(many=True), **error_responses(401, 403)},
    ),
    retrieve=extend_schema(
        operation_id="contract_imports_retrieve",
        tags=["pricing"],
        summary="One contract price import: status, progress, report",
        description=(
            "Poll this while `status` is queued, checking or applying: `processed_rows` grows "
            "towards `total_rows` (an estimate until the whole file is read)."
        ),
        responses={200: ContractImportSerializer, **error_responses(401, 403, 404)},
    ),
    create=extend_schema(
        operation_id="contract_imports_create",
        tags=["pricing"],
        summary="Upload contract prices (CSV or XLSX) and check or apply them",
        description=(
            "Every row is checked against this storefront's companies and purchasable products. "
            "With `dry_run` (the default) nothing is written: the answer lists the accepted and "
            "rejected counts and the rejected rows with their reasons. With `dry_run=false` the "
            "rows are applied only if none is rejected (all or nothing): check `status` "
            "(`applied`, or `failed` with `error`). Files of more than 5,000 rows are processed "
            "in the background: the answer is 202 with `status` queued; follow `url`."
        ),
        request={"multipart/form-data": ContractImportCreateSerializer},
        responses={
            201: OpenApiResponse(ContractImportSerializer, description=_("Checked or applied.")),
            202: OpenApiResponse(
                ContractImportSerializer, description=_("Queued: follow its url.")
            ),
            **error_responses(400, 401, 403),
        },
        examples=[
            OpenApiExample(
                "A dry run with one rejected row",
                value=_EXAMPLE_REJECTED,
                response_only=True,
                status_codes=["201"],
            ),
            OpenApiExample(
                "Applied", value=_EXAMPLE_APPLIED, response_only=True, status_codes=["201"]
            ),
        ],
    ),
    apply=extend_schema(
        operation_id="contract_imports_apply",
        tags=["pricing"],
        summary="Apply a checked import whose rows were all accepted",
        description=(
            "The file is checked again (companies and products may have changed since) and "
            "written in one transaction. 409 when rows are rejected or the import was applied, "
            "is running or failed."
        ),
        request=None,
        responses={
            200: OpenApiResponse(ContractImportSerializer, description=_("Applied or failed.")),
            202: OpenApiResponse(
                ContractImportSerializer, description=_("Queued: follow its url.")
            ),
            409: _CONFLICT,
            **error_responses(401, 403, 404),
        },
        examples=[
            OpenApiExample(
                "Applied", value=_EXAMPLE_APPLIED, response_only=True, status_codes=["200"]
            )
        ],
    ),
)
class ContractImportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    permission_classes = [IsPricingStaff]
    serializer_class = ContractImportSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    pagination_class = Pagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PriceImport.objects.none()
        return (
            PriceImport.objects.for_storefront(self.request.storefront)
            .select_related("price_list")
            .order_by("-created_at", "-pk")
        )

    def create(self, request):
        params = ContractImportCreateSerializer(
            data=request.data, context={"storefront": request.storefront}
        )
        params.is_valid(raise_exception=True)
        data = params.validated_data
        price_import = imports.create_import(
            request.storefront,
            data["file"],
            user=request.user,
            price_list=data.get("price_list"),
            replace=data["replace"],
        )
        price_import = imports.start(price_import, apply=not data["dry_run"])
        body = self.get_serializer(price_import).data
        code = status.HTTP_202_ACCEPTED if price_import.is_running else status.HTTP_201_CREATED
        return Response(body, status=code, headers={"Location": body["url"]})

    @action(detail=True, methods=["post"], url_path="apply", url_name="apply")
    def apply(self, request, pk=None):
        price_import = self.get_object()
        if not price_import.can_apply:
            raise Conflict(imports.why_not_applicable(price_import))
        price_import = imports.start(price_import, apply=True)
        code = status.HTTP_202_ACCEPTED if price_import.is_running else status.HTTP_200_OK
        return Response(self.get_serializer(price_import).data, status=code)
