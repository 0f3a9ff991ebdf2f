"""Read replicas against a real streaming replica: a primary, a hot standby cloned from it
with `pg_basebackup -R`, and gunicorn with DATABASE_REPLICA_URLS (deploy/replica.py, which
`make replica-demo` runs and prints).

Each cluster logs every statement with the app's application name, so where each request read
is counted, not assumed. Under CI=true a cluster that cannot be started fails the test;
elsewhere it is skipped.
"""

import os
import sys

import pytest

from .services import ROOT

sys.path.insert(0, str(ROOT / "deploy"))

from replica import ReplicaSetup, run  # noqa: E402

pytestmark = pytest.mark.services


@pytest.fixture(scope="module")
def replicated():
    try:
        setup = ReplicaSetup()
    except Exception as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"a primary and a streaming replica could not be started under CI: {error}")
        pytest.skip(f"a primary and a streaming replica could not be started: {error}")
    yield setup
    setup.stop()


def test_public_reads_use_the_replica_and_the_rest_the_primary(replicated):
    figures = run(replicated, report=lambda line: None)

    anonymous = figures["anonymous"]
    assert anonymous["replica"] > 0
    assert anonymous["primary"] == 0
    for step in ("staff", "edit"):
        assert figures[step]["primary"] > 0, step
        assert figures[step]["replica"] == 0, step

    # Read your writes: the editor, and every visitor for the pin window after a change,
    # read the change from the primary while the replica has not replayed it.
    for step in ("editor_next_read", "visitor_within_window"):
        assert figures[step]["sees_edit"], step
        assert figures[step]["replica"] == 0, step
    paused = figures["visitor_after_window_paused"]
    assert paused["replica"] > 0 and paused["primary"] == 0
    assert paused["stale"]  # proof that this read came from the (paused) replica
    caught_up = figures["visitor_caught_up"]
    assert caught_up["sees_edit"] and caught_up["replica"] > 0

    writer = figures["anonymous_writer"]
    assert writer["pinned"]
    assert writer["primary"] > 0 and writer["replica"] == 0

    assert figures["replication"]["state"] == "streaming"
    assert max(figures["edit_replay_ms"]) < 2000
