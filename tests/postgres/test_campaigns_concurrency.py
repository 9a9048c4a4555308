"""Campaigns on PostgreSQL with real concurrent connections: two launches of one grant,
two runners of one grant, bonus rules racing for the last of a budget, and a grant runner
killed with SIGKILL in the middle of a chunk."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.campaigns import execution, services
from portal.campaigns.bonus import pay_from_budget
from portal.campaigns.errors import CampaignError
from portal.campaigns.models import Campaign, CampaignStatus
from portal.extensions import db
from portal.points.models import LedgerEntry
from tests import factories
from tests.campaigns.helpers import bonus_input, grant_input, marketing
from tests.support.race import assert_points_verify_clean, migrated_postgres_app, race

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(tmp_path, postgres_server):
    with migrated_postgres_app(tmp_path, postgres_server, "campaigns") as app:
        yield app


def _credited(campaign_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.source_type == "campaigns", LedgerEntry.source_id == campaign_id))


@pytest.mark.parametrize("workers", [2, 6])
def test_concurrent_launches_award_once(pg_app, monkeypatch, workers):
    monkeypatch.setattr(execution, "CHUNK_SIZE", 7)
    staff = [marketing() for _ in range(workers)]
    for _ in range(30):
        factories.make_member()
    campaign = services.save_draft(None, grant_input(points=100), actor=staff[0])
    db.session.commit()
    ids, campaign_id = [s.id for s in staff], campaign.id

    def launch(index: int) -> str:
        services.launch(db.session.get(Campaign, campaign_id), actor=db.session.get(User, ids[index]))
        return "launched"

    outcome = race(pg_app, workers, launch, refusal=CampaignError, describe=lambda e: "refused",
                   request_path="/?lang=en")
    assert not outcome.crashes, outcome.results
    assert sorted(outcome.results).count("launched") == 1
    campaign = db.session.get(Campaign, campaign_id)
    assert campaign.status == CampaignStatus.FINISHED
    assert _credited(campaign_id) == 30 and campaign.reached == 30 and campaign.spent == 3000
    assert all(m.points_balance == 100 for m in db.session.scalars(select(User).where(User.role == "member")))
    assert_points_verify_clean(pg_app)


def test_two_runners_of_one_grant_credit_each_member_once(pg_app, monkeypatch):
    monkeypatch.setattr(execution, "CHUNK_SIZE", 5)
    monkeypatch.setattr(services, "enqueue", lambda *args: None)  # the runners below do the work
    staff = marketing()
    for _ in range(40):
        factories.make_member()
    campaign = services.save_draft(None, grant_input(points=10), actor=staff)
    services.launch(campaign, actor=staff)
    db.session.commit()
    campaign_id = campaign.id
    outcome = race(pg_app, 4, lambda index: execution.run_to_end(campaign_id).status)
    assert not outcome.crashes, outcome.results
    db.session.expire_all()
    campaign = db.session.get(Campaign, campaign_id)
    assert campaign.status == CampaignStatus.FINISHED
    assert (campaign.processed, campaign.reached, campaign.spent) == (40, 40, 400)
    assert _credited(campaign_id) == 40
    assert_points_verify_clean(pg_app)


def test_bonus_budget_stops_exactly_under_concurrency(pg_app):
    staff = marketing()
    factories.make_member()
    campaign = services.save_draft(None, bonus_input(bonus_mode="add", points=100, multiplier_pct=None,
                                                     budget=500), actor=staff)
    services.launch(campaign, actor=staff)
    db.session.commit()
    campaign_id = campaign.id
    outcome = race(pg_app, 12, lambda index: pay_from_budget(campaign_id, 100))
    assert not outcome.crashes, outcome.results
    assert outcome.results.count(True) == 5
    assert db.session.get(Campaign, campaign_id).spent == 500


# The runner in a separate process: small chunks, and a pause inside each chunk after the
# ledger rows are written and before the commit, announced on stdout, so the test can
# kill it with SIGKILL exactly there: a real kill -9 of a worker holding a transaction.
_RUNNER = """
import pathlib, sys, time
from portal import create_app
from portal.campaigns import execution
from tests.conftest import test_config

execution.CHUNK_SIZE = 4
real, calls = execution.bulk_credit, []

def credit_then_hang_on_the_second_chunk(*args, **kwargs):
    credited = real(*args, **kwargs)
    calls.append(len(credited))
    if len(calls) == 2:
        print("written", len(credited), flush=True)
        time.sleep(60)
    return credited

execution.bulk_credit = credit_then_hang_on_the_second_chunk
app = create_app(test_config(pathlib.Path(sys.argv[2]), SQLALCHEMY_DATABASE_URI=sys.argv[3]))
with app.app_context():
    execution.run_to_end(int(sys.argv[1]))
"""


def test_kill_9_in_the_middle_of_a_chunk_loses_nothing_and_credits_once(pg_app, monkeypatch, tmp_path):
    monkeypatch.setattr(services, "enqueue", lambda *args: None)  # the runner process works
    staff = marketing()
    for _ in range(10):
        factories.make_member()
    campaign = services.save_draft(None, grant_input(points=25), actor=staff)
    services.launch(campaign, actor=staff)
    db.session.commit()
    campaign_id = campaign.id
    url = pg_app.config["SQLALCHEMY_DATABASE_URI"]
    with subprocess.Popen([sys.executable, "-c", _RUNNER, str(campaign_id), str(tmp_path), url],
                          stdout=subprocess.PIPE, text=True, cwd=os.getcwd()) as runner:
        try:
            assert runner.stdout.readline().startswith("written 4")  # the second chunk, in flight
        finally:
            os.kill(runner.pid, signal.SIGKILL)
            runner.wait(timeout=30)
    assert runner.returncode == -signal.SIGKILL
    db.session.expire_all()
    campaign = db.session.get(Campaign, campaign_id)
    # The first chunk committed; the one in flight left nothing behind.
    assert (campaign.status, campaign.processed, campaign.reached) == (CampaignStatus.RUNNING, 4, 4)
    assert _credited(campaign_id) == 4
    execution.run_to_end(campaign_id)  # what the scheduler's resume does
    db.session.expire_all()
    campaign = db.session.get(Campaign, campaign_id)
    assert campaign.status == CampaignStatus.FINISHED
    assert (campaign.processed, campaign.reached, campaign.spent) == (10, 10, 250)
    assert _credited(campaign_id) == 10
    assert all(m.points_balance == 25 for m in db.session.scalars(select(User).where(User.role == "member")))
    assert_points_verify_clean(pg_app)
