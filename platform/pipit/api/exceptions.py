"""Every API error has one shape: ``{"detail": "...", "errors": {field: ["...", ...]}}``.

Clients show ``detail`` as the headline and put ``errors`` next to the fields they name;
``non_field_errors`` holds what belongs to no single field.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """DRF's handler, with Django's ``ValidationError`` mapped to 400 and every body reshaped."""
    if isinstance(exc, DjangoValidationError):
        # Services raise Django's ValidationError (e.g. order placement); it is bad input, not a 500.
        errors = as_serializer_error(exc)
        if NON_FIELD_ERRORS in errors:
            errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
        exc = serializers.ValidationError(errors)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    response.data = error_body(response.data)
    return response


def error_body(data) -> dict:
    if isinstance(data, dict) and set(data) <= {"detail"}:
        return {"detail": data.get("detail", ""), "errors": {}}
    if isinstance(data, dict):
        return {"detail": _first_message(data) or _("Invalid input."), "errors": data}
    return {
        "detail": _first_message(data) or _("Invalid input."),
        "errors": {"non_field_errors": data},
    }


def _first_message(data) -> str:
    """The first non-field message, so a client that shows only ``detail`` still says why."""
    messages = data.get(api_settings.NON_FIELD_ERRORS_KEY) if isinstance(data, dict) else data
    if isinstance(messages, list) and messages and isinstance(messages[0], str):
        return messages[0]
    return ""


# The error body for the schema: the same component on every endpoint.
ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "detail": serializers.CharField(),
        "errors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            help_text=_("Messages per field; non_field_errors for the request as a whole."),
        ),
    },
)


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """``extend_schema(responses=...)`` entries for the listed error statuses."""
    descriptions = {
        400: _("Invalid input: messages per field."),
        401: _("Not authenticated, or the credentials are not valid on this storefront."),
        403: _("Authenticated, but not allowed to do this."),
        404: _("Not found on this storefront for this company."),
    }
    return {
        code: OpenApiResponse(ErrorSerializer, description=descriptions[code]) for code in codes
    }
