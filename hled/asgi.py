"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hled.settings")
# A web process: its database statements are bounded (DJANGO_STATEMENT_TIMEOUT_MS).
os.environ["HLED_PROCESS"] = "web"

application = get_asgi_application()
