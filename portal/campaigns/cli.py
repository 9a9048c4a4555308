"""`flask campaigns run <id>`: run (or resume) a grant from a terminal, with a progress bar."""

from __future__ import annotations

import click
from flask.cli import AppGroup

campaigns_cli = AppGroup("campaigns", help="Run point campaigns.")


@campaigns_cli.command("run")
@click.argument("campaign_id", type=click.IntRange(1, 2**31 - 1))
def run(campaign_id: int) -> None:
    """Work through a running grant chunk by chunk (what the job does); safe to re-run."""
    from portal.campaigns.execution import run_to_end
    from portal.campaigns.models import Campaign, CampaignStatus
    from portal.extensions import db

    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or not campaign.is_grant:
        raise click.ClickException(f"no grant campaign {campaign_id}")
    if campaign.status != CampaignStatus.RUNNING.value:
        raise click.ClickException(f"campaign {campaign_id} is {campaign.status}, not running "
                                   "(launch it on /admin/campaigns first)")
    db.session.rollback()
    with click.progressbar(length=max(campaign.total, 1), label="Crediting") as bar:
        done = [campaign.processed]

        def step(current) -> None:
            if current.total:
                bar.length = current.total
            bar.update(current.processed - done[0])
            done[0] = current.processed

        final = run_to_end(campaign_id, on_chunk=step)
    click.echo(f"campaign {campaign_id}: {final.status}, {final.reached:,} members credited, "
               f"{final.spent:,} points")
