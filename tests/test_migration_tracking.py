"""Migrations 0012–0014 keep what visitors saw: each agreement shows the same status and progress
after its state moved into its published implementation updates; 0016 stores that state on
each agreement."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("dialogue", "0011_search")
AFTER = ("dialogue", "0014_commitment_tracking_constraints")


def migrate(target=None):
    """Migrate the dialogue app to `target`, by default its latest migration."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    if target is None:
        (target,) = [node for node in executor.loader.graph.leaf_nodes() if node[0] == "dialogue"]
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


def test_migration_keeps_each_agreements_state():
    apps = migrate(BEFORE)
    Agreement = apps.get_model("dialogue", "Agreement")
    Update = apps.get_model("dialogue", "AgreementUpdate")
    Meeting = apps.get_model("dialogue", "Meeting")
    common = {"kind": "agreement", "publication_status": "published"}
    same = Agreement.objects.create(title="Same", slug="same", status="in-force", progress=90,
                                    **common)  # fmt: skip
    Update.objects.create(agreement=same, date=dt.date(2013, 9, 20), title="Begun",
                          status="negotiation", progress=10)  # fmt: skip
    Update.objects.create(agreement=same, date=dt.date(2016, 8, 21), title="In force",
                          status="in-force", progress=90)  # fmt: skip
    typed = Agreement.objects.create(title="Typed", slug="typed", status="implementing",
                                     progress=60, announced_on=dt.date(2013, 9, 20),
                                     **common)  # fmt: skip
    Update.objects.create(agreement=typed, date=dt.date(2014, 6, 30), title="Blank",
                          title_en="Blank", status="", progress=None)  # fmt: skip
    Agreement.objects.create(title="Bare", slug="bare", status="signed", progress=20,
                                    **common)  # fmt: skip
    Meeting.objects.create(title="Third", slug="third", status="tentative", date_precision="year",
                           start=dt.datetime(2016, 1, 1, 6, tzinfo=dt.UTC),
                           timezone="America/Mexico_City")  # fmt: skip

    migrate(AFTER)
    migrate()  # the current models read the columns later migrations add
    from dialogue.models import Agreement as Current
    from dialogue.models import AgreementUpdate
    from dialogue.models import Meeting as CurrentMeeting

    states = {a.slug: (a.status, a.progress) for a in Current.objects.with_state()}
    assert states == {"same": ("in-force", 90), "typed": ("implementing", 60),
                      "bare": ("signed", 20)}  # fmt: skip
    # 0016 stored that state on each agreement.
    stored = {a.slug: (a.state_status, a.state_progress, a.state_as_of is not None)
              for a in Current.objects.all()}  # fmt: skip
    assert stored == {"same": ("in-force", 90, True), "typed": ("implementing", 60, True),
                      "bare": ("signed", 20, True)}  # fmt: skip
    assert AgreementUpdate.objects.filter(agreement__slug="same").count() == 2  # none added
    blank = AgreementUpdate.objects.get(title="Blank")
    assert (blank.status, blank.progress, blank.is_public) == ("announced", 0, True)
    assert blank.state_key.startswith("announced|0|")
    third = CurrentMeeting.objects.get(slug="third")
    assert third.period_end == dt.datetime(2017, 1, 1, 6, tzinfo=dt.UTC)
    assert third.is_overdue
