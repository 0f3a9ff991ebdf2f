"""gunicorn settings for HLED (read automatically from the working directory).

Every value can be overridden on the command line or with GUNICORN_CMD_ARGS; the ones below
also follow environment variables, see docs/deploy.md.
"""

import multiprocessing
import os

wsgi_app = "hled.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Synchronous workers: 2 per core plus one (WEB_CONCURRENCY overrides, as on most hosts).
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# Recycle workers now and then, so a slow leak can never grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# Access log to stdout by default; GUNICORN_ACCESS_LOG="" turns it off (the benchmark does).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
# The reverse proxy on the same host (or the load balancer) sets X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# No control socket: gunicorn 27 opens one at ~/.gunicorn/gunicorn.ctl by default, a path every
# app server of one user would share (and the cluster benchmark runs two). Manage the servers
# with signals (docs/deploy.md).
control_socket_disable = True
