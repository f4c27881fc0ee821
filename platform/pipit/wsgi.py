import os

from django.core.wsgi import get_wsgi_application

# A server started without DJANGO_SETTINGS_MODULE gets production settings, which refuse to
# start without their secrets, rather than the laptop defaults with DEBUG on.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pipit.settings.production")
application = get_wsgi_application()
