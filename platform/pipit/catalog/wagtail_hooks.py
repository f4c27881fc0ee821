from wagtail import hooks

from .admin_views import ProductViewSet


@hooks.register("register_admin_viewset")
def register_product_screens():
    return ProductViewSet("products")
