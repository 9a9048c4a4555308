"""The hourly purge of sign-ups whose e-mail link has expired, run by the job worker's
scheduler (no cron line needed)."""

from __future__ import annotations

import logging

from flask import current_app

from portal.accounts.signup import purge_pending_sign_ups
from portal.core.jobs import crontab, periodic_job

log = logging.getLogger(__name__)


@periodic_job(crontab(minute="10"))
def purge_expired_sign_ups() -> int:
    """Delete the pending sign-ups older than SIGNUP_CONFIRM_MAX_AGE; returns how many."""
    purged = purge_pending_sign_ups(current_app.config["SIGNUP_CONFIRM_MAX_AGE"])
    log.info("sign-up purge: %s expired sign-ups deleted", purged)
    return purged
