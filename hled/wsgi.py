"""WSGI entry point (gunicorn hled.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hled.settings")

application = get_wsgi_application()
