import gc
import os

from django.core.wsgi import get_wsgi_application

# A server started without DJANGO_SETTINGS_MODULE gets production settings, which refuse to
# start without their secrets, rather than the laptop defaults with DEBUG on.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pipit.settings.production")
application = get_wsgi_application()
# Everything loaded so far (Django, Wagtail, Oscar, the URL map, the templates read at start)
# lives as long as the process: kept out of the cyclic collector, whose full passes over it
# took ~150 ms in every tenth request or so of a catalog page.
gc.freeze()
