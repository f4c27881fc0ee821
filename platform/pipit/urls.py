from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from pipit.plugins.urls import plugin_urlpatterns

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
    path("api/", include("pipit.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Plugins' own pages (namespace = plugin id); 404 where the plugin is switched off.
    path("shop/p/", include(plugin_urlpatterns())),
    path("shop/", include(apps.get_app_config("oscar").urls[0])),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [
    # Wagtail's catch-all stays last: every storefront's page tree.
    path("", include(wagtail_urls)),
]
