"""`flask sales import FILE`, `flask sales resume BATCH` and `flask sales demo-file OUT`.

The same services as the staff pages: the file is previewed (a batch is stored), then,
once confirmed (`--yes` skips the question), imported one chunk per transaction with a
progress bar. A killed import is continued by `flask sales resume` (or by importing the
same file again: contracts already imported are skipped).
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from portal.core.uow import unit_of_work

sales_cli = AppGroup("sales", help="Import purchases exported by the sales system.")
SHOWN_INVALID = 50


def _staff(email: str):
    from portal.accounts.permissions import P
    from portal.accounts.services import find_user_by_email

    staff = find_user_by_email(email)
    if staff is None or not staff.is_active_account or not staff.can(P.IMPORT_SALES):
        raise click.ClickException(f"{email} is not a staff account that may import sales.")
    return staff


def _describe(batch) -> None:
    from portal.sales.reports import invalid_rows

    counts = batch.counts
    click.echo(f"{batch.file_name}: {counts['rows']} rows, {counts['invalid']} invalid "
               f"({counts['units_missing']} with a unit not found).")
    click.echo(f"  to create {counts['new']} (buyers matched to members {counts['members']}, "
               f"referrals converting {counts['referrals']}), already imported {counts['unchanged']}, "
               f"changed (not overwritten) {counts['changed']}, cancellations {counts['cancel']} "
               f"(referral rewards reversed {counts['reversals']}).")
    with force_locale("en"):
        for row in invalid_rows(batch, SHOWN_INVALID):
            click.echo(f"  line {row.line} {row.contract_no}: {'; '.join(row.reasons)}", err=True)
    if counts["invalid"] > SHOWN_INVALID:
        click.echo(f"  … and {counts['invalid'] - SHOWN_INVALID} more invalid rows (see the batch "
                   f"page, /admin/sales/batches/{batch.id}).", err=True)


def _run(batch) -> None:
    from portal.extensions import db
    from portal.sales.importer import run_import

    left = batch.progress_total - batch.progress_done
    with click.progressbar(length=left, label="Importing") as bar:
        run_import(batch.id, transaction=unit_of_work, progress=bar.update)
    db.session.refresh(batch)
    result = batch.result
    click.echo(f"Batch {batch.id}: {result['created']} purchases created, {result['cancelled']} "
               f"cancelled, {result['skipped']} already there; referrals converted "
               f"{result['converted']} (not {result['not_converted']}), reversed {result['reversed']}; "
               f"homes verified {result['homes']}.")
    with force_locale("en"):
        for note in batch.notes:
            click.echo(f"  line {note['line']} {note['contract_no']}: {note['text']}")


@sales_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", "by_email", required=True, metavar="EMAIL",
              help="The staff account the import is recorded by (service or admin).")
@click.option("--yes", is_flag=True, help="Import without asking after the preview.")
@click.option("--valid-only", is_flag=True, help="Import the valid rows of a file with invalid ones.")
def import_command(file: Path, by_email: str, yes: bool, valid_only: bool) -> None:
    """Preview a sales CSV, then import it (see README.md for the columns)."""
    from portal.sales.errors import SalesError
    from portal.sales.importer import confirm_batch
    from portal.sales.staging import stage_file

    staff = _staff(by_email)
    with file.open("rb") as handle:
        data = handle.read(current_app.config["SALES_IMPORT_MAX_BYTES"] + 1)
    try:
        with unit_of_work():
            batch = stage_file(file.name, data, staff)
    except SalesError as error:
        with force_locale("en"):
            raise click.ClickException(str(error)) from error
    _describe(batch)
    invalid = batch.counts["invalid"]
    if invalid and not valid_only:
        raise click.ClickException(f"{invalid} rows are invalid: correct the file, or add "
                                   "--valid-only to import the other rows.")
    if not yes:
        click.confirm(f"Import batch {batch.id}?", abort=True)
    with unit_of_work():
        confirm_batch(batch, staff, valid_only=valid_only)
    _run(batch)


@sales_cli.command("resume")
@click.argument("batch_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--by", "by_email", required=True, metavar="EMAIL", help="The staff account taking over.")
def resume_command(batch_id: int, by_email: str) -> None:
    """Continue an import that stopped (failed, or its worker was killed)."""
    from portal.extensions import db
    from portal.sales.errors import SalesError
    from portal.sales.importer import resume_batch
    from portal.sales.models import ImportBatch

    staff = _staff(by_email)
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None:
        raise click.ClickException(f"There is no batch {batch_id}.")
    try:
        with unit_of_work():
            resume_batch(batch, staff)
    except SalesError as error:
        with force_locale("en"):
            raise click.ClickException(str(error)) from error
    _run(batch)


@sales_cli.command("demo-file")
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def demo_file_command(out: Path) -> None:
    """Write the demo walk-through file (a referred buyer, a cancellation, an invalid row…)
    for a database made by `flask seed-demo`; upload it at /admin/sales."""
    from portal.sales.demo import walkthrough_csv

    out.write_bytes(walkthrough_csv().encode("utf-8-sig"))
    click.echo(f"Wrote {out}: upload it at /admin/sales as service@demo.club.")
