"""What the admin's home page shows staff: the records that need attention.

Every panel is one query per model (or one in all), whatever the amount of data.
"""

from django.contrib.admin.models import LogEntry
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import (
    FINISHED,
    Agreement,
    AgreementUpdate,
    KeyFigure,
    Meeting,
    Page,
    Stakeholder,
    report_cutoff,
)

LIMIT = 10
PUBLISHABLE = (Meeting, Agreement, AgreementUpdate, Stakeholder, KeyFigure, Page)


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def changelist_url(model, **params):
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def row(obj, when):
    return {
        "object": obj,
        "kind": obj._meta.verbose_name,
        "url": change_url(obj),
        "when": when,
    }


def viewable(user):
    return [
        model
        for model in PUBLISHABLE
        if user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
        or user.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}")
    ]


def drafts(models):
    """The most recently edited drafts of every publishable model, newest first."""
    rows = []
    links = []
    for model in models:
        records = list(model.objects.drafts().order_by("-updated_at")[:LIMIT])
        rows += [row(obj, obj.updated_at) for obj in records]
        if records:
            url = changelist_url(model, publication="draft")
            links.append({"label": model._meta.verbose_name_plural, "url": url})
    rows.sort(key=lambda r: r["when"], reverse=True)
    return {"rows": rows[:LIMIT], "more": len(rows) > LIMIT, "links": links}


def scheduled(models):
    """Published records whose publication time is still ahead, soonest first."""
    rows = []
    for model in models:
        records = model.objects.scheduled().order_by("publish_at")[:LIMIT]
        rows += [row(obj, obj.publish_at) for obj in records]
    rows.sort(key=lambda r: r["when"])
    return {"rows": rows[:LIMIT], "more": len(rows) > LIMIT}


def recent_changes():
    """The latest additions, changes and deletions of dialogue records, by anyone."""
    return list(
        LogEntry.objects.filter(content_type__app_label="dialogue")
        .select_related("user", "content_type")
        .order_by("-action_time")[:LIMIT]
    )


def stale_agreements(today=None):
    """Published agreements that visitors see marked "no recent report": open, and whose
    latest published implementation update is over twelve months old, or missing."""
    cutoff = report_cutoff(today)
    stale = (
        Agreement.objects.published()
        .with_state()
        .exclude(status__in=FINISHED)
        .filter(Q(last_reported_on__lt=cutoff) | Q(last_reported_on__isnull=True))
    )
    records = list(
        stale.order_by(F("last_reported_on").asc(nulls_first=True), "title")[: LIMIT + 1]
    )
    rows = [
        {**row(obj, obj.last_reported_on), "status": obj.get_status_display()} for obj in records
    ]
    return {
        "rows": rows[:LIMIT],
        "more": len(rows) > LIMIT,
        "cutoff": cutoff,
        "url": changelist_url(Agreement),
    }


def shortcuts(models):
    """Links to the filtered lists editors use most. A list's filters live in its address, so
    any list can be bookmarked or shared as it is."""
    rows = []
    for model in models:
        links = [
            (_("Drafts"), changelist_url(model, publication="draft")),
            (_("Scheduled"), changelist_url(model, publication="scheduled")),
            (_("Live"), changelist_url(model, publication="live")),
            (_("Spanish missing"), changelist_url(model, spanish="missing")),
            (_("Edited by me"), changelist_url(model, edited_by="me")),
        ]
        if model is Meeting:
            links.insert(
                0, (_("Upcoming"), changelist_url(model, status__in="tentative,confirmed"))
            )
        rows.append({"label": model._meta.verbose_name_plural, "links": links})
    return rows


def overdue_meetings():
    """Tentative or confirmed meetings whose planned period has passed (the public site no
    longer calls them "next"): their status or date needs updating."""
    records = list(Meeting.objects.overdue().order_by("period_end")[: LIMIT + 1])
    rows = [{**row(obj, obj.period_end), "status": obj.get_status_display()} for obj in records]
    return {"rows": rows[:LIMIT], "more": len(rows) > LIMIT, "url": changelist_url(Meeting)}


def dashboard(request):
    """The context of the admin index's panels for `request.user`."""
    user = request.user
    models = viewable(user)
    context = {
        "drafts": drafts(models),
        "scheduled": scheduled(models),
        "recent_changes": recent_changes(),
        "shortcuts": shortcuts(models),
        "now": timezone.now(),
    }
    if Agreement in models:
        context["stale_agreements"] = stale_agreements()
    if Meeting in models:
        context["overdue_meetings"] = overdue_meetings()
    return context
