"""Write a complete nginx.conf for HLED from deploy/nginx.conf.in.

    python deploy/render_nginx.py --listen 127.0.0.1:8080 --upstream 127.0.0.1:8001 \
        --upstream 127.0.0.1:8002 --static-root staticfiles --run-dir /var/lib/hled-nginx \
        > /etc/nginx/nginx.conf

The cluster benchmark (bench/cluster_bench.py) and tests/test_proxy.py render it the same way
and run `nginx -p RUN_DIR -c RUN_DIR/nginx.conf`, so what is tested is what operators deploy.
"""

import argparse
import os
import pwd
import sys
from pathlib import Path

TEMPLATE = Path(__file__).with_name("nginx.conf.in")


def render(*, listen, upstreams, static_root, run_dir, cache_dir=None, user=None,
           access_log=None, mime_types="/etc/nginx/mime.types", miss_rate=20):  # fmt: skip
    """The configuration text; `upstreams` are host:port of the app servers; `miss_rate`: the
    requests per second one client may send past the cache to them (a burst of 100 more)."""
    run_dir = Path(run_dir).resolve()
    if user is None and os.geteuid() == 0:
        # nginx's workers would run as "nobody", who may not read a checkout under /root.
        user = pwd.getpwuid(os.geteuid()).pw_name
    servers = "\n".join(
        f"        server {upstream} max_fails=1 fail_timeout=2s;" for upstream in upstreams
    )
    values = {
        "USER": f"user {user};" if user else "",
        "RUN_DIR": str(run_dir),
        "CACHE_DIR": str(Path(cache_dir).resolve() if cache_dir else run_dir / "cache"),
        "ACCESS_LOG": f"{access_log} hled" if access_log else f"{run_dir / 'access.log'} hled",
        "MIME_TYPES": mime_types,
        "UPSTREAM_SERVERS": servers,
        "LISTEN": listen,
        "MISS_RATE": str(int(miss_rate)),
        "STATIC_ROOT": str(Path(static_root).resolve()),
        "ERROR_PAGES": str(Path(__file__).resolve().with_name("errors")),
    }
    text = TEMPLATE.read_text()
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    if "@" in "".join(line.split("#")[0] for line in text.splitlines()):
        raise ValueError("a placeholder of nginx.conf.in was left unfilled")
    return text


def write(run_dir, **options):
    """Render into RUN_DIR/nginx.conf (creating RUN_DIR); returns the file's path."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / "nginx.conf"
    path.write_text(render(run_dir=run_dir, **options))
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="80", help="nginx's listen argument")
    parser.add_argument("--upstream", action="append", required=True, help="host:port")
    parser.add_argument("--static-root", default="staticfiles")
    parser.add_argument("--run-dir", required=True, help="pid, logs, temporary files, cache")
    parser.add_argument("--cache-dir", help="default: RUN_DIR/cache")
    parser.add_argument("--user", help="the user nginx's workers run as (e.g. www-data)")
    parser.add_argument("--access-log", help="default: RUN_DIR/access.log")
    parser.add_argument(
        "--miss-rate", type=int, default=20, help="requests a second per client past the cache"
    )
    args = parser.parse_args()
    sys.stdout.write(
        render(
            listen=args.listen,
            upstreams=args.upstream,
            static_root=args.static_root,
            run_dir=args.run_dir,
            cache_dir=args.cache_dir,
            user=args.user,
            miss_rate=args.miss_rate,
            access_log=args.access_log,
        )
    )


if __name__ == "__main__":
    main()
