"""Measure the admin change forms as an editor sees them: width and height in a browser.

Loads the demo data into a fresh SQLite database, serves it with Django's development server
on loopback, logs into the admin with Chromium (Playwright) and, at 1280 px and 390 px wide,
prints for each form the page's full width and height and how far it scrolls sideways. The
"Second HLED meeting" form is the one the editors complained about.

    .venv/bin/python bench/admin_form.py [--port 8500] [--json out.json]

Nothing is sent anywhere but 127.0.0.1; the server is stopped at the end.
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = (1280, 390)
PASSWORD = "measure-the-forms"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8500)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--chromium", default=os.environ.get("HLED_CHROMIUM") or "chromium")
    return parser.parse_args()


def wait_for(url, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer at {url}")


def port_free(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def prepare(env):
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True)
    subprocess.run([*manage, "loaddata", "hled_demo", "-v", "0"], env=env, check=True)
    env = {**env, "DJANGO_SUPERUSER_USERNAME": "admin", "DJANGO_SUPERUSER_PASSWORD": PASSWORD}
    subprocess.run([*manage, "ensure_demo_superuser"], env=env, check=True, capture_output=True)


def measure(base, chromium):
    from playwright.sync_api import sync_playwright

    figures = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which(chromium) or chromium, args=["--no-sandbox"]
        )
        for width in WIDTHS:
            context = browser.new_context(base_url=base, viewport={"width": width, "height": 900})
            page = context.new_page()
            page.goto("/admin/login/")
            page.fill("#id_username", "admin")
            page.fill("#id_password", PASSWORD)
            page.click("input[type=submit]")
            page.wait_for_selector("#user-tools")
            for path, label in form_paths(page):
                page.goto(path)
                page.wait_for_load_state("load")
                page.wait_for_timeout(300)  # the rich-text editors start after load
                size = page.evaluate(
                    "() => ({width: document.documentElement.scrollWidth,"
                    " height: document.documentElement.scrollHeight,"
                    " viewport: document.documentElement.clientWidth})"
                )
                size["overflow"] = max(0, size["width"] - size["viewport"])
                figures.append({"form": label, "path": path, "viewport": width, **size})
            context.close()
        browser.close()
    return figures


def form_paths(page):
    """The change form of the Second HLED meeting first, then one of each other kind."""
    from dialogue.models import Agreement, Meeting, Page, Stakeholder

    second = Meeting.objects.get(title_en="Second HLED meeting")
    paths = [(f"/admin/dialogue/meeting/{second.pk}/change/", "meeting: Second HLED meeting")]
    agreement = Agreement.objects.order_by("pk").first()
    stakeholder = Stakeholder.objects.order_by("pk").first()
    content_page = Page.objects.order_by("pk").first()
    paths += [
        (f"/admin/dialogue/agreement/{agreement.pk}/change/", f"agreement: {agreement}"),
        (f"/admin/dialogue/stakeholder/{stakeholder.pk}/change/", f"stakeholder: {stakeholder}"),
        (f"/admin/dialogue/page/{content_page.pk}/change/", f"page: {content_page}"),
        ("/admin/dialogue/meeting/add/", "meeting: add"),
    ]
    return paths


def main():
    args = parse_args()
    if not port_free(args.port):
        raise SystemExit(f"port {args.port} is in use; choose another with --port")
    workdir = Path(tempfile.mkdtemp(prefix="hled-admin-form-"))
    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "DJANGO_PAGE_CACHE": "0",
        "REDIS_URL": "",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    prepare(env)
    server = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "runserver",
            "--noreload",
            f"127.0.0.1:{args.port}",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{args.port}"
        wait_for(base + "/healthz")
        os.environ.update({k: env[k] for k in ("DJANGO_DEBUG", "DATABASE_URL")})
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hled.settings")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        figures = measure(base, args.chromium)
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"{'form':44} {'viewport':>8} {'width':>7} {'height':>7} {'sideways':>8}")
    for row in figures:
        print(
            f"{row['form'][:44]:44} {row['viewport']:>8} {row['width']:>7} "
            f"{row['height']:>7} {row['overflow']:>8}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
