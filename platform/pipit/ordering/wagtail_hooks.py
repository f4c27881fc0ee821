from wagtail import hooks

from .admin_views import OrderViewSet


@hooks.register("register_admin_viewset")
def register_order_screens():
    return OrderViewSet("orders")
