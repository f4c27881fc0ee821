from django.contrib.auth import get_user_model
from oscar.apps.customer.auth_backends import EmailBackend

from pipit.tenancy.access import user_allowed_on_storefront
from pipit.tenancy.context import current_storefront

ADMIN_PATHS = ("/admin/", "/django-admin/")


class StorefrontEmailBackend(EmailBackend):
    """Log in by e-mail; on a storefront only its buyers and staff (and superusers).

    The Wagtail admin is served on every storefront host, so staff log in to the admin on any host;
    what they then see is scoped by :meth:`Storefront.objects.for_staff`.
    """

    def authenticate(self, request=None, username=None, password=None, *args, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            return None
        if request is not None and request.path.startswith(ADMIN_PATHS):
            return user if user.is_staff or user.is_superuser else None
        storefront = getattr(request, "storefront", None) or current_storefront()
        return user if user_allowed_on_storefront(user, storefront) else None

    def get_user(self, user_id):
        User = get_user_model()
        try:
            return User.objects.select_related("company_membership__company").get(pk=user_id)
        except User.DoesNotExist:
            return None
