"""The commitment tracker's figures: counts by status, per pillar, per side and per meeting,
progress over time, and what moved between two meetings.

Every function takes a queryset of public agreements (``Agreement.objects.public()``, perhaps
filtered) and makes a fixed number of queries, whatever the number of agreements: the
database counts, Python only shapes the few rows it returns.
"""

import datetime

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Case, Count, F, IntegerField, Q, Value, When, Window
from django.db.models.functions import ExtractYear, Lag, RowNumber
from django.utils import timezone

from .models import (
    FINISHED,
    SIDE_FIELDS,
    Agreement,
    AgreementStatus,
    AgreementUpdate,
    Pillar,
)

STATUS_ORDER = list(AgreementStatus.values)
MEETINGS_SHOWN = 12
LIST_LIMIT = 20


def status_rows(counts):
    """[{status, label, count}] in the statuses' own order, only those with a count."""
    return [
        {"status": status, "label": AgreementStatus(status).label, "count": counts[status]}
        for status in STATUS_ORDER
        if counts.get(status)
    ]


def breakdown(agreements):
    """Counts by status: overall, per pillar and per side (one query).

    The database groups the agreements by (pillar, overall status, each side's status); the
    few combinations it returns are added up here.
    """
    side_names = [f"{prefix}_status" for _side, prefix in SIDE_FIELDS]
    rows = agreements.order_by().values("pillar", "status", *side_names).annotate(n=Count("pk"))
    overall, by_pillar = {}, {}
    by_side = {side: {} for side, _prefix in SIDE_FIELDS}
    total = 0
    for row in rows:
        n = row["n"]
        total += n
        overall[row["status"]] = overall.get(row["status"], 0) + n
        pillar = by_pillar.setdefault(row["pillar"], {})
        pillar[row["status"]] = pillar.get(row["status"], 0) + n
        for (side, _prefix), name in zip(SIDE_FIELDS, side_names, strict=True):
            status = row[name] or ""
            by_side[side][status] = by_side[side].get(status, 0) + n
    pillars = {pillar.pk: pillar for pillar in Pillar.objects.public()}
    pillar_rows = []
    for pk, counts in sorted(by_pillar.items(), key=lambda item: (item[0] is None, item[0])):
        pillar = pillars.get(pk)
        pillar_rows.append(
            {
                "pillar": pillar,
                "statuses": status_rows(counts),
                "total": sum(counts.values()),
                "delivered": counts.get(AgreementStatus.COMPLETED, 0),
            }
        )
    side_rows = [
        {
            "side": side.value,
            "label": side.label,
            "statuses": status_rows(by_side[side]),
            "untracked": by_side[side].get("", 0),
            "delivered": by_side[side].get(AgreementStatus.COMPLETED, 0),
        }
        for side, _prefix in SIDE_FIELDS
    ]
    return {
        "total": total,
        "overall": status_rows(overall),
        "delivered": overall.get(AgreementStatus.COMPLETED, 0),
        "pillars": pillar_rows,
        "sides": side_rows,
    }


def by_meeting(agreements):
    """Announced vs delivered for the latest meetings where commitments were announced
    (two queries): [{meeting, announced, delivered, statuses}], oldest first."""
    from .models import Meeting

    meetings = list(
        Meeting.objects.public()
        .filter(pk__in=agreements.order_by().values("origin_meeting"))
        .order_by("-start")[:MEETINGS_SHOWN]
    )
    rows = (
        agreements.filter(origin_meeting__in=[meeting.pk for meeting in meetings])
        .order_by()
        .values("origin_meeting", "status")
        .annotate(n=Count("pk"))
    )
    counts = {}
    for row in rows:
        counts.setdefault(row["origin_meeting"], {})[row["status"]] = row["n"]
    result = []
    for meeting in reversed(meetings):
        statuses = counts.get(meeting.pk, {})
        result.append(
            {
                "meeting": meeting,
                "announced": sum(statuses.values()),
                "delivered": statuses.get(AgreementStatus.COMPLETED, 0),
                "statuses": status_rows(statuses),
            }
        )
    return result


def progress_over_time(agreements, today=None):
    """By year: commitments announced (cumulative), completed and average progress at the
    year's end, as the published updates record them (two queries).

    Each update's change is its progress minus the progress of the update before it, so the
    sum of the changes up to a year is the sum of every commitment's progress then.
    """
    today = today or timezone.localdate()
    updates = AgreementUpdate.objects.published().filter(
        agreement__in=agreements.order_by().values("pk")
    )
    done = Case(When(status=AgreementStatus.COMPLETED, then=Value(1)), default=Value(0))
    partition = {"partition_by": [F("agreement_id")], "order_by": [F("date"), F("id")]}
    inner = (
        updates.order_by()
        .annotate(
            year=ExtractYear("date"),
            done=done,
            before=Window(Lag("progress", default=0), **partition),
            was_done=Window(Lag(done, default=0, output_field=IntegerField()), **partition),
            rank=Window(RowNumber(), **partition),
        )
        .values("year", "progress", "before", "done", "was_done", "rank")
    )
    try:
        sql, params = inner.query.sql_with_params()
    except EmptyResultSet:  # nothing to count (an empty filter)
        return []
    connection = connections[inner.db]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rows.year, SUM(rows.progress - rows.before), SUM(rows.done - rows.was_done), "
            "SUM(CASE WHEN rows.rank = 1 THEN 1 ELSE 0 END) "
            f"FROM ({sql}) rows GROUP BY rows.year ORDER BY rows.year",
            params,
        )
        changes = {int(year): (progress, completed, first) for year, progress, completed, first
                   in cursor.fetchall()}  # fmt: skip
    announced = dict(
        agreements.filter(announced_on__isnull=False)
        .order_by()
        .annotate(year=ExtractYear("announced_on"))
        .values_list("year")
        .annotate(n=Count("pk"))
    )
    years = sorted(set(changes) | set(announced))
    if not years:
        return []
    series = []
    progress_sum = completed = reported = announced_total = 0
    for year in range(years[0], max(years[-1], today.year) + 1):
        change = changes.get(year, (0, 0, 0))
        progress_sum += int(change[0] or 0)
        completed += int(change[1] or 0)
        reported += int(change[2] or 0)
        announced_total += announced.get(year, 0)
        series.append(
            {
                "year": year,
                "announced": announced_total,
                "reported": reported,
                "completed": completed,
                "average": round(progress_sum / reported) if reported else 0,
            }
        )
    return series


def meeting_day(meeting):
    """The day a meeting's state is read at: its local day, or today for one still ahead."""
    day = meeting.local_start.date()
    return min(day, timezone.localdate())


def since_previous(meeting, previous):
    """What moved and what stalled between `previous` and `meeting` (three queries).

    The commitments compared are the public ones with a published state at the previous
    meeting's date. One *moved* when its state (status or progress, overall or of a side) at
    this meeting's date differs; it *stalled* when it was still open and nothing changed.
    """
    if previous is None:
        return None
    start, end = meeting_day(previous), meeting_day(meeting)
    compared = (
        Agreement.objects.public()
        .with_state_on(start, "then")
        .with_state_on(end, "now")
        .filter(then_key__isnull=False)
    )
    moved = ~Q(now_key=F("then_key"))
    stalled = Q(now_key=F("then_key")) & ~Q(then_status__in=FINISHED)
    counts = compared.aggregate(
        moved=Count("pk", filter=moved), stalled=Count("pk", filter=stalled)
    )

    def listed(condition):
        rows = compared.filter(condition).order_by("title")[:LIST_LIMIT]
        return [
            {
                "agreement": agreement,
                "then_status": AgreementStatus(agreement.then_status).label,
                "then_progress": agreement.then_progress,
                "now_status": AgreementStatus(agreement.now_status).label,
                "now_progress": agreement.now_progress,
            }
            for agreement in rows
        ]

    return {
        "previous": previous,
        "start": start,
        "end": end,
        "moved": listed(moved),
        "stalled": listed(stalled),
        "moved_count": counts["moved"],
        "stalled_count": counts["stalled"],
        "limit": LIST_LIMIT,
    }


def year_end(year):
    return datetime.date(year, 12, 31)
