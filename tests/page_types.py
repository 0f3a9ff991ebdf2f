"""The public page types, and the demo record that shows each of them at its fullest.

Shared by the HTML checks (tests/test_html.py) and the browser tests (tests/e2e/).
"""

from django.db.models import Count
from django.urls import reverse

PAGE_TYPES = [
    "home",
    "meeting-list",
    "meeting-detail",
    "agreement-list",
    "agreement-detail",
    "stakeholder-list",
    "stakeholder-detail",
    "pillar",
    "content-page",
    "consultation-list",
    "consultation-detail",
    "submission-list",
    "submission-detail",
    "privacy",
    "search",
    "open-data",
    "progress",
    "fact-sheet",
    "follow",
    "404",
]


def expected_status(page_type):
    return 404 if page_type == "404" else 200


def demo_page_paths():
    """The path of each page type in the active language; the demo fixture must be loaded."""
    from consultations.models import Consultation, Submission
    from dialogue.models import Agreement, Meeting, Page, Pillar, Stakeholder

    meeting = (
        Meeting.objects.published()
        .annotate(items=Count("agenda_items", distinct=True))
        .order_by("-items", "start")
        .first()
    )
    agreement = (
        Agreement.objects.published()
        .annotate(steps=Count("updates", distinct=True))
        .order_by("-steps", "slug")
        .first()
    )
    stakeholder = (
        Stakeholder.objects.published()
        .annotate(
            meetings=Count("participations", distinct=True),
            agreements=Count("agreement_parties", distinct=True),
        )
        .order_by("-meetings", "-agreements", "slug")
        .first()
    )
    return {
        "home": reverse("dialogue:home"),
        "meeting-list": reverse("dialogue:meeting-list"),
        "meeting-detail": meeting.get_absolute_url(),
        "agreement-list": reverse("dialogue:agreement-list"),
        "agreement-detail": agreement.get_absolute_url(),
        "stakeholder-list": reverse("dialogue:stakeholder-list"),
        "stakeholder-detail": stakeholder.get_absolute_url(),
        "pillar": Pillar.objects.order_by("number").first().get_absolute_url(),
        "content-page": Page.objects.published().order_by("menu_order").first().get_absolute_url(),
        "consultation-list": reverse("consultations:consultation-list"),
        "consultation-detail": Consultation.objects.public()
        .filter(slug="public-input-2016")
        .get()
        .get_absolute_url(),
        "submission-list": reverse("consultations:submission-list"),
        "submission-detail": Submission.objects.public()
        .get(reference="HLED-7KQ4-M2XD")
        .get_absolute_url(),
        "privacy": reverse("consultations:privacy"),
        "search": reverse("dialogue:search") + "?q=agreement",
        "open-data": reverse("dialogue:data"),
        "progress": reverse("dialogue:progress"),
        "fact-sheet": reverse("dialogue:meeting-factsheet", kwargs={"slug": meeting.slug}),
        "follow": reverse("dialogue:follow"),
        "404": reverse("dialogue:meeting-detail", kwargs={"slug": "no-such-meeting"}),
    }
