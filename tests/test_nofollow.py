"""Crawlers are kept off the endless filter combinations of the lists: every link to a filtered
or paged list says rel="nofollow", and robots.txt disallows those URLs while allowing the plain
lists and the records."""

import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import translation

from dialogue.sitemaps import FILTERED_PAGES

pytestmark = pytest.mark.django_db

MAX_PAGES = 300


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append((attrs["href"], (attrs.get("rel") or "").split()))


def list_paths():
    paths = []
    for code in ("en", "es"):
        with translation.override(code):
            paths += [reverse(name) for name in FILTERED_PAGES]
    return paths


def under_a_list(url):
    parts = urlsplit(url)
    return bool(parts.query) and any(parts.path.startswith(path) for path in list_paths())


def test_every_link_to_a_filtered_list_is_nofollow(client, demo_data, settings):
    settings.PAGINATE_BY = 2  # so that the lists have pages
    queue = deque(["/en/", "/es/"])
    seen = set(queue)
    checked = Counter()
    unmarked = set()
    while queue and len(seen) <= MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        assert response.status_code == 200, url
        if not response["Content-Type"].startswith("text/html"):
            continue
        parser = Links()
        parser.feed(response.content.decode())
        for href, rel in parser.links:
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith(("/en/", "/es/")):
                continue
            if under_a_list(href):
                checked[urlsplit(href).path] += 1
                if "nofollow" not in rel:
                    unmarked.add((url, href))
            target = href.split("#")[0]
            if target not in seen and "/feed." not in target and not target.endswith(".ics"):
                seen.add(target)
                queue.append(target)
    assert not unmarked, sorted(unmarked)[:10]
    # The crawl met filter links of every kind: facets on record pages, chips, breakdowns,
    # pagination, filtered feeds, in both languages.
    assert len(checked) >= 8, checked
    assert sum(checked.values()) >= 50, checked


# What a crawler that follows RFC 9309 (with its * and $) may fetch under the robots.txt.


def allowed(rules, path):
    best = ("allow", "")
    for verdict, pattern in rules:
        regex = re.escape(pattern).replace(r"\*", ".*")
        if regex.endswith(r"\$"):
            regex = regex[:-2] + "$"
        if re.match(regex, path) and len(pattern) > len(best[1]):
            best = (verdict, pattern)
    return best[0] == "allow"


def test_robots_disallows_filtered_lists_but_not_plain_ones(client):
    text = client.get("/robots.txt").content.decode()
    rules = [
        (field.lower(), value.strip())
        for field, _, value in (line.partition(":") for line in text.splitlines())
        if field.lower() in {"allow", "disallow"}
    ]
    for path in [
        "/en/meetings/",
        "/es/reuniones/",
        "/en/agreements/",
        "/en/agreements/usmca-review/",
        "/en/stakeholders/commerce/",
        "/en/meetings/feed.rss",
        "/en/consultations/",
        "/en/",
        "/sitemap.xml",
        "/sitemap-meetings.xml?p=2",
    ]:
        assert allowed(rules, path), path
    for path in [
        "/en/meetings/?pillar=connectivity",
        "/es/reuniones/?page=2",
        "/en/agreements/?meeting=first&stakeholder=commerce",
        "/es/acuerdos/?sector=transporte",
        "/en/stakeholders/?kind=agency",
        "/en/meetings/feed.rss?pillar=connectivity",
        "/en/agreements/feed.atom?status=completed",
        "/en/search/?q=trade",
        "/admin/",
    ]:
        assert not allowed(rules, path), path
    with translation.override("es"):
        progress = reverse("dialogue:progress")
        submissions = reverse("consultations:submission-list")
    assert allowed(rules, progress) and not allowed(rules, f"{progress}?meeting=x")
    assert allowed(rules, submissions) and not allowed(rules, f"{submissions}?pillar=x")
