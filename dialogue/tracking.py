"""The commitment tracker's figures: counts by status, per pillar, per side and per meeting,
progress over time, and what moved between two meetings.

Every function takes a queryset of public agreements (``Agreement.objects.public()``, perhaps
filtered) and makes a fixed number of queries, whatever the number of agreements: the
database counts, Python only shapes the few rows it returns.
"""

import datetime

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Case, Count, F, IntegerField, Max, Subquery, Value, When, Window
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
from .models.agreements import latest_public_update
from .models.publication import public_filter

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
    """Counts by status: overall, per pillar and per side (two queries: the counts, the
    pillars).

    The database groups the agreements by (pillar, overall status, each side's status), as
    `with_state()` reads them (the stored copy while it is current); the few combinations it
    returns are added up here.
    """
    side_names = [f"{prefix}_status" for _side, prefix in SIDE_FIELDS]
    if "status" not in agreements.query.annotations:
        agreements = agreements.with_state()
    rows = list(
        agreements.order_by().values("pillar", "status", *side_names).annotate(n=Count("pk"))
    )
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

    # The latest meetings are found from the agreements' side (joined to their public origin
    # meeting, grouped, the first few kept): from the meetings' side, PostgreSQL cannot
    # estimate how many agreements a filter on their state keeps, and compared every meeting
    # with every matching agreement (0.4 s at 20,000 agreements).
    latest = (
        agreements.order_by()
        .filter(public_filter("origin_meeting__"))
        .values("origin_meeting")
        .annotate(start=Max("origin_meeting__start"))
        .order_by("-start", "-origin_meeting")
        .values("origin_meeting")[:MEETINGS_SHOWN]
    )
    meetings = list(Meeting.objects.public().filter(pk__in=latest).order_by("-start", "-pk"))
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


def parse_state_key(key):
    """(status label, progress) of the overall state in an update's `state_key`."""
    status, progress = key.split("|")[:2]
    return AgreementStatus(status).label, int(progress)


def since_previous(meeting, previous):
    """What moved and what stalled since `previous` (one query).

    The commitments compared are those on the table at the previous meeting: announced or
    reviewed there, public, with a published state by its date. One *moved* when its state
    (status or progress, overall or of a side) at this meeting's date differs; it *stalled*
    when it was still open and nothing changed. Each update stores its whole state as one
    value (`state_key`), so the two states are compared in the database.
    """
    if previous is None:
        return None
    start, end = meeting_day(previous), meeting_day(meeting)
    reviewed = (
        AgreementUpdate.objects.published().filter(meeting=previous).values("agreement").order_by()
    )
    # A union of the two sets of ids, each read by its index: under an OR, PostgreSQL would
    # read every published agreement instead.
    announced = Agreement.objects.filter(origin_meeting=previous).values("pk").order_by()
    on_the_table = announced.union(reviewed)
    compared = (
        Agreement.objects.published()
        .filter(pk__in=on_the_table)
        .annotate(
            then_key=Subquery(latest_public_update(on=start).values("state_key")[:1]),
            now_key=Subquery(latest_public_update(on=end).values("state_key")[:1]),
        )
        .filter(then_key__isnull=False)
        .order_by("title", "pk")
    )
    moved, stalled = [], []
    for agreement in compared:
        then_status, then_progress = parse_state_key(agreement.then_key)
        now_status, now_progress = parse_state_key(agreement.now_key)
        row = {
            "agreement": agreement,
            "then_status": then_status,
            "then_progress": then_progress,
            "now_status": now_status,
            "now_progress": now_progress,
        }
        if agreement.now_key != agreement.then_key:
            moved.append(row)
        elif agreement.then_key.split("|")[0] not in FINISHED:
            stalled.append(row)
    return {
        "previous": previous,
        "start": start,
        "end": end,
        "moved": moved[:LIST_LIMIT],
        "stalled": stalled[:LIST_LIMIT],
        "moved_count": len(moved),
        "stalled_count": len(stalled),
        "limit": LIST_LIMIT,
    }


def year_end(year):
    return datetime.date(year, 12, 31)
