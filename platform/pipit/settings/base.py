"""Settings shared by every environment. Environment-specific modules import from here."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _
from oscar.defaults import *  # noqa: F403  (Oscar's settings are the baseline we adjust)

from pipit.plugins.discovery import discovery_enabled, plugin_apps

PACKAGE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = PACKAGE_DIR.parent.parent  # the repository root
THEMES_DIR = Path(os.environ.get("PIPIT_THEMES_DIR", PROJECT_DIR / "themes"))
SITES_DIR = Path(os.environ.get("PIPIT_SITES_DIR", PROJECT_DIR / "sites"))
FIXTURES_DIR = PROJECT_DIR / "fixtures"

SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False

# The storefront middleware is the host allow-list: a host that belongs to no storefront and is not
# a platform host answers 404 (Django's own check would answer 400 and cannot read the database).
ALLOWED_HOSTS = ["*"]
PIPIT_PLATFORM_HOSTS = [
    h.strip()
    for h in os.environ.get("PIPIT_PLATFORM_HOSTS", "localhost,127.0.0.1").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    # Pipit's own apps first, so their templates and static files win.
    "pipit.core",
    "pipit.tenancy",
    "pipit.themes",
    "pipit.inventory",
    "pipit.companies",
    "pipit.catalog",
    "pipit.pricing",
    "pipit.promotions",
    "pipit.ordering",
    "pipit.cms",
    "pipit.api",
    "pipit.plugins",
    "pipit.demo",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.humanize",
    # Oscar; forked apps replace their originals (see docs/architecture.md, "Oscar forks").
    "pipit.shop.apps.ShopConfig",
    "oscar.apps.analytics.apps.AnalyticsConfig",
    "pipit.oscar_apps.checkout.apps.CheckoutConfig",
    "oscar.apps.address.apps.AddressConfig",
    "oscar.apps.shipping.apps.ShippingConfig",
    "oscar.apps.catalogue.apps.CatalogueConfig",
    "oscar.apps.catalogue.reviews.apps.CatalogueReviewsConfig",
    "oscar.apps.communication.apps.CommunicationConfig",
    "pipit.oscar_apps.partner.apps.PartnerConfig",
    "oscar.apps.basket.apps.BasketConfig",
    "oscar.apps.payment.apps.PaymentConfig",
    "oscar.apps.offer.apps.OfferConfig",
    "pipit.oscar_apps.order.apps.OrderConfig",
    "oscar.apps.customer.apps.CustomerConfig",
    "oscar.apps.search.apps.SearchConfig",
    "oscar.apps.voucher.apps.VoucherConfig",
    "oscar.apps.wishlists.apps.WishlistsConfig",
    "oscar.apps.dashboard.apps.DashboardConfig",
    "oscar.apps.dashboard.reports.apps.ReportsDashboardConfig",
    "oscar.apps.dashboard.users.apps.UsersDashboardConfig",
    "oscar.apps.dashboard.orders.apps.OrdersDashboardConfig",
    "oscar.apps.dashboard.catalogue.apps.CatalogueDashboardConfig",
    "oscar.apps.dashboard.offers.apps.OffersDashboardConfig",
    "oscar.apps.dashboard.partners.apps.PartnersDashboardConfig",
    "oscar.apps.dashboard.pages.apps.PagesDashboardConfig",
    "oscar.apps.dashboard.ranges.apps.RangesDashboardConfig",
    "oscar.apps.dashboard.reviews.apps.ReviewsDashboardConfig",
    "oscar.apps.dashboard.vouchers.apps.VouchersDashboardConfig",
    "oscar.apps.dashboard.communications.apps.CommunicationsDashboardConfig",
    "oscar.apps.dashboard.shipping.apps.ShippingDashboardConfig",
    "widget_tweaks",
    "haystack",
    "treebeard",
    "sorl.thumbnail",
    "django_tables2",
    # API
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

# Installed plugins that are Django apps declare them in the "pipit.plugin_apps" entry-point group;
# read from package metadata only (no plugin code runs here). PIPIT_DISCOVER_PLUGIN_APPS=false
# switches this off, for listing plugin apps by hand.
PIPIT_DISCOVER_PLUGIN_APPS = discovery_enabled(os.environ)
if PIPIT_DISCOVER_PLUGIN_APPS:
    INSTALLED_APPS += plugin_apps(exclude=INSTALLED_APPS)

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Resolves the storefront before anything reads the host; unknown hosts stop here with 404.
    "pipit.tenancy.middleware.StorefrontMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "pipit.tenancy.middleware.StorefrontLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pipit.tenancy.middleware.StorefrontUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "pipit.tenancy.middleware.PlatformDashboardMiddleware",
    "oscar.apps.basket.middleware.BasketMiddleware",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "pipit.urls"
WSGI_APPLICATION = "pipit.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "OPTIONS": {
            "loaders": [
                (
                    "pipit.themes.loaders.CachedThemeLoader",
                    [
                        "pipit.themes.loaders.ThemeLoader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.template.context_processors.i18n",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "oscar.core.context_processors.metadata",
                "pipit.tenancy.context_processors.storefront",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{PROJECT_DIR / 'var' / 'pipit.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # The app's queries are short: PostgreSQL's JIT compiles any plan estimated above
    # jit_above_cost (a catalog listing sorted by price, say) for longer than it then runs.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

AUTHENTICATION_BACKENDS = [
    "pipit.companies.auth.StorefrontEmailBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "customer:login"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", PROJECT_DIR / "var" / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", PROJECT_DIR / "var" / "media"))
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
# Every theme's static/ folder is published under static/themes/<name>/.
STATICFILES_DIRS = (
    [
        (f"themes/{theme.name}", str(theme / "static"))
        for theme in sorted(THEMES_DIR.iterdir())
        if (theme / "static").is_dir()
    ]
    if THEMES_DIR.is_dir()
    else []
)

# `load_demo` creates a superuser with a public password: only where this says so (dev, test).
PIPIT_DEMO_ALLOWED = False

SITE_ID = 1  # django.contrib.sites is kept only because Oscar and flatpages need it.

# --- Wagtail -------------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Pipit"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://localhost:8000")
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_I18N_ENABLED = False
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database"},
}
if os.environ.get("ELASTICSEARCH_URL"):
    WAGTAILSEARCH_BACKENDS["default"] = {
        "BACKEND": "wagtail.search.backends.elasticsearch8",
        "URLS": [os.environ["ELASTICSEARCH_URL"]],
        "INDEX_PREFIX": os.environ.get("ELASTICSEARCH_INDEX_PREFIX", "pipit_"),
    }
WAGTAILIMAGES_IMAGE_MODEL = "wagtailimages.Image"
WAGTAILADMIN_USER_LOGIN_FORM = "pipit.tenancy.forms.AdminLoginForm"
WAGTAILADMIN_PERMITTED_LANGUAGES = [("ru", "Русский"), ("en", "English")]

# django-tasks (Wagtail's search-index updates use it) is routed to Celery.
TASKS = {"default": {"BACKEND": "pipit.core.tasks_backend.CeleryBackend"}}

# --- Oscar ---------------------------------------------------------------------------------------
# Thumbnail bookkeeping in the cache, not a DB row per image (see pipit.catalog.thumbnails).
THUMBNAIL_KVSTORE = "pipit.catalog.thumbnails.CacheKVStore"

OSCAR_SHOP_NAME = "Pipit"
OSCAR_DEFAULT_CURRENCY = "RUB"
# B2B buyers compare promotions with what they pay, VAT included; Pipit's promotions compute on
# prices incl. VAT, and Oscar's own benefits must record their discounts the same way.
OSCAR_OFFERS_INCL_TAX = True
OSCAR_HOMEPAGE = "/"
OSCAR_ALLOW_ANON_CHECKOUT = False
OSCAR_PRODUCTS_PER_PAGE = 24
OSCAR_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "orders@pipit.local")
OSCAR_REQUIRED_ADDRESS_FIELDS = ("first_name", "last_name", "line1", "line4", "postcode", "country")
OSCAR_INITIAL_ORDER_STATUS = "new"
OSCAR_INITIAL_LINE_STATUS = "new"
OSCAR_ORDER_STATUS_PIPELINE = {
    "new": ("confirmed", "cancelled"),
    "confirmed": ("picking", "cancelled"),
    "picking": ("shipped", "cancelled"),
    "shipped": ("delivered",),
    "delivered": (),
    "cancelled": (),
}
OSCAR_LINE_STATUS_PIPELINE = OSCAR_ORDER_STATUS_PIPELINE
OSCAR_SLUG_FUNCTION = "pipit.core.text.transliterating_slugify"
# Oscar's search app stays installed for its templates' sake, but Pipit searches through Wagtail's
# backends (pipit.catalog.search); Haystack must not index on every save.
HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}
HAYSTACK_SIGNAL_PROCESSOR = "haystack.signals.BaseSignalProcessor"

# --- REST API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes refusals 401 rather than 403.
        "pipit.api.authentication.StorefrontTokenAuthentication",
        "pipit.api.authentication.StorefrontSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 24,
    "EXCEPTION_HANDLER": "pipit.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Pipit API",
    "DESCRIPTION": "B2B storefront API: catalog with the caller's prices and stock, cart, orders.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["pipit.api.schema.public_api_only"],
    # Swagger UI's assets come from the drf-spectacular-sidecar package: the docs work offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Celery --------------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or None
# Without a broker the embedded default runs every task in-process, synchronously.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# `make worker` runs beat inside the worker (-B): validity dates of price lists and rules roll
# over, and scheduled publications go live, within the hour.
CELERY_BEAT_SCHEDULE = {
    "pricing-roll-over": {"task": "pipit.pricing.roll_over_all", "schedule": 3600.0},
}
# Without beat (the laptop demo), the first priced page of a new day starts the roll-over.
PIPIT_PRICING_LAZY_ROLLOVER = True

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        # Room for a few catalog pages of cached product cards per buyer (300 by default).
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    )
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = OSCAR_FROM_EMAIL

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
