"""The company's order history in the buyer's account.

Mounted at ``/shop/accounts/`` before Oscar's customer URLs, with Oscar's paths, so that
``customer:order-list`` and ``customer:order`` reverse to these views.
"""

from django.urls import path

from . import views

app_name = "ordering"

urlpatterns = [
    path("orders/", views.OrderHistoryView.as_view(), name="order-list"),
    path("orders/<str:order_number>/", views.OrderDetailView.as_view(), name="order-detail"),
]
