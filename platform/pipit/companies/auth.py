from django.contrib.auth import get_user_model
from oscar.apps.customer.auth_backends import EmailBackend

from pipit.tenancy.context import current_storefront


class StorefrontEmailBackend(EmailBackend):
    """Log in by e-mail; a buyer only on their company's storefront.

    Staff and superusers log in on any host (the Wagtail admin is served on every storefront host);
    what they then see is scoped by :meth:`Storefront.objects.for_staff`.
    """

    def authenticate(self, request=None, username=None, password=None, *args, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None or user.is_staff or user.is_superuser:
            return user
        storefront = getattr(request, "storefront", None) or current_storefront()
        membership = getattr(user, "company_membership", None)
        if storefront is None or membership is None:
            return None
        if membership.company.storefront_id != storefront.pk or not membership.company.is_active:
            return None
        return user

    def get_user(self, user_id):
        User = get_user_model()
        try:
            return User.objects.select_related("company_membership__company").get(pk=user_id)
        except User.DoesNotExist:
            return None
