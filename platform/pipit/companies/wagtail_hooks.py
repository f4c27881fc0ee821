from wagtail import hooks

from .admin_views import CompanyViewSet, RegistrationRequestViewSet


@hooks.register("register_admin_viewset")
def register_company_screens():
    return [CompanyViewSet("companies"), RegistrationRequestViewSet("registration_requests")]
