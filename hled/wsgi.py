"""WSGI entry point (gunicorn hled.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hled.settings")
# A web process: its database statements are bounded (DJANGO_STATEMENT_TIMEOUT_MS).
os.environ["HLED_PROCESS"] = "web"

application = get_wsgi_application()
