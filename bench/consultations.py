"""Time a submission POST in-process: the public form with every check it runs.

Each round solves a fresh ALTCHA challenge (at the cost set in hled/settings.py, outside the
timed part, as the visitor's browser does), then times one POST through the whole Django stack
(middleware, form validation, proof-of-work verification, duplicate check, rate limit, the
database write and the confirmation email handed to Django's memory backend). Prints p50, p95
and max, and the same for the form page's GET. A temporary SQLite database by default, or
--database-url. Nothing leaves the process.

    .venv/bin/python bench/consultations.py --posts 200
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def summary(label, seconds):
    ms = [s * 1000 for s in seconds]
    return (
        f"{label:<34} n={len(ms):<4} p50 {statistics.median(ms):6.1f} ms   "
        f"p95 {percentile(ms, 0.95):6.1f} ms   max {max(ms):6.1f} ms"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=200, help="POSTs to time (default 200)")
    parser.add_argument("--database-url", default="", help="default: a temporary SQLite file")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="hled-bench-")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "hled.settings"
    # A cache of this run's own (no rate-limit counters of an earlier run), and no render limit:
    # every GET of the form comes from one address.
    os.environ["DJANGO_CACHE_DIR"] = f"{folder}/cache"
    os.environ["DJANGO_RENDER_BURST"] = "0"
    import django

    django.setup()
    from django.conf import settings
    from django.core import mail
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # memory email backend, ALLOWED_HOSTS for the test client
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", verbosity=0)

    from datetime import timedelta

    from django.utils import timezone

    from consultations import abuse
    from consultations.models import Consultation, Submission
    from dialogue.models import Pillar
    from tests.consultation_forms import challenge_in, form_data, solve

    pillar, _ = Pillar.objects.get_or_create(number=1, defaults={"name": "One", "slug": "one"})
    now = timezone.now()
    consultation, _ = Consultation.objects.update_or_create(
        slug="bench-consultation",
        defaults={
            "title": "Bench consultation",
            "year": 2016,
            "opens_at": now - timedelta(days=1),
            "closes_at": now + timedelta(days=1),
            "publication_status": "published",
            "publish_at": now - timedelta(days=1),
        },
    )
    client = Client()
    url = consultation.get_absolute_url()
    client.get(url)  # warm up templates and connections
    gets, posts, solves = [], [], []
    print(f"ALTCHA challenge: {settings.ALTCHA_CHALLENGE}")
    print(f"rate limits: {settings.CONSULTATIONS_RATE_PER_HOUR}/hour, "
          f"{settings.CONSULTATIONS_RATE_PER_DAY}/day per address")  # fmt: skip
    for n in range(args.posts):
        started = time.perf_counter()
        page = client.get(url).content.decode()
        gets.append(time.perf_counter() - started)
        started = time.perf_counter()
        payload = solve(challenge_in(page))
        solves.append(time.perf_counter() - started)
        data = form_data(
            consultation,
            pillar,
            altcha=payload,
            text=f"Bench submission number {n}: shorter waits at the border crossings.",
            shown=abuse.form_timestamp(time.time() - 30),
        )
        address = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"  # one address each
        started = time.perf_counter()
        response = client.post(url, data, REMOTE_ADDR=address)
        posts.append(time.perf_counter() - started)
        assert response.status_code == 302, response.content.decode()[:2000]
    stored = Submission.objects.filter(consultation=consultation).count()
    print(summary("GET the form page", gets))
    print(summary("POST a submission (stored, mailed)", posts))
    print(summary("solve the challenge (Python, untimed)", solves))
    print(f"submissions stored: {stored}, confirmation emails: {len(mail.outbox)}")


if __name__ == "__main__":
    main()
