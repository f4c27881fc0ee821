from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """DRF's handler, with every error shaped as ``{"detail": ..., "errors": {field: [...]}}``."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and set(data) <= {"detail"}:
        response.data = {"detail": data.get("detail", ""), "errors": {}}
    elif isinstance(data, dict):
        response.data = {"detail": "Invalid input.", "errors": data}
    else:
        response.data = {"detail": "Invalid input.", "errors": {"non_field_errors": data}}
    return response
