"""OpenAPI schema pieces drf-spectacular cannot infer: Pipit's authentication classes, scope."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object


class StorefrontTokenScheme(OpenApiAuthenticationExtension):
    target_class = "pipit.api.authentication.StorefrontTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=self.target.keyword
        )


class StorefrontSessionScheme(OpenApiAuthenticationExtension):
    target_class = "pipit.api.authentication.StorefrontSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}


def public_api_only(endpoints, **kwargs):
    """Preprocessing hook: document the public API, not Wagtail's internal admin API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]
