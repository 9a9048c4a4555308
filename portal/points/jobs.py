"""The nightly points expiry, run by the job worker's scheduler (no cron line needed)."""

from __future__ import annotations

import logging

from portal.core.jobs import crontab, periodic_job
from portal.core.timeutil import utcnow
from portal.points.services.expiry import ExpiryRun, expire_due

log = logging.getLogger(__name__)


# 03:05 in Asia/Shanghai (huey's crontab is UTC): after midnight everywhere the club
# operates, before anyone is awake to watch a balance drop.
@periodic_job(crontab(hour="19", minute="5"))
def expire_points() -> ExpiryRun:
    """Expire the points due now, chunked as `flask points expire` does."""
    run = expire_due(utcnow())
    log.info("points expiry: %s points in %s ledger rows for %s members",
             run.points, run.rows, run.members)
    return run
