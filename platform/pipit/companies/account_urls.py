"""Mounted at /shop/accounts/ before Oscar's customer URLs: ``register/`` shadows Oscar's
self-registration with a request that staff approve."""

from django.urls import path

from . import views

app_name = "companies"

urlpatterns = [
    path("register/", views.RegistrationRequestView.as_view(), name="register"),
    path("register/thanks/", views.RegistrationDoneView.as_view(), name="register-done"),
    path("company/", views.CompanyProfileView.as_view(), name="company"),
    path("company/addresses/add/", views.AddressCreateView.as_view(), name="address-add"),
    path("company/addresses/<int:pk>/", views.AddressUpdateView.as_view(), name="address-edit"),
]
