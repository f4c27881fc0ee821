from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from pipit.plugins.urls import plugin_api_urlpatterns
from pipit.pricing.api import ContractImportViewSet

from . import views

app_name = "api"

router = SimpleRouter()
router.register("products", views.ProductViewSet, basename="product")
router.register("orders", views.OrderViewSet, basename="order")
router.register("addresses", views.AddressViewSet, basename="address")
router.register("pricing/contract-imports", ContractImportViewSet, basename="contract-import")

v1 = [
    path("auth/token/", views.TokenObtainView.as_view(), name="token"),
    path("cart/", views.CartView.as_view(), name="cart"),
    path("cart/lines/", views.CartLineListView.as_view(), name="cart-lines"),
    path("cart/lines/<int:pk>/", views.CartLineView.as_view(), name="cart-line"),
    *router.urls,
    # Plugins' API routes (namespace api:<plugin id>); 404 where the plugin is switched off.
    path("p/", include(plugin_api_urlpatterns())),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
