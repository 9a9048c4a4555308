"""`flask sales import`, `resume` and `demo-file`: the same services as the pages."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.sales import importer
from portal.sales.models import BatchStatus, ImportBatch
from portal.sales.staging import stage_file
from tests import factories
from tests.referrals.helpers import make_referral
from tests.sales.helpers import batch_count, csv_bytes, purchase_count, sale, units


def _file(tmp_path, rows, name="sales.csv"):
    path = tmp_path / name
    path.write_bytes(csv_bytes(rows, encoding="utf-8-sig"))
    return str(path)


def _staff():
    factories.make_user("service", email="desk@example.com")
    db.session.commit()


def test_import_with_yes_shows_the_preview_and_a_progress_bar(runner, db, tmp_path):
    _staff()
    units(3)
    referral = make_referral(invitee=factories.make_member(email="friend@example.com"))
    db.session.commit()
    path = _file(tmp_path, [sale(1), sale(2, buyer_email="friend@example.com"), sale(3)])
    result = runner.invoke(args=["sales", "import", path, "--by", "desk@example.com", "--yes"])
    assert result.exit_code == 0, result.output
    assert "sales.csv: 3 rows, 0 invalid" in result.output
    assert "referrals converting 1" in result.output
    assert "Importing" in result.output
    assert "3 purchases created" in result.output and "referrals converted 1" in result.output
    assert purchase_count() == 3
    db.session.refresh(referral)
    assert referral.status == "rewarded"

    again = runner.invoke(args=["sales", "import", path, "--by", "desk@example.com", "--yes"])
    assert again.exit_code == 0 and "0 purchases created" in again.output
    assert purchase_count() == 3


def test_invalid_rows_stop_the_command_unless_valid_only(runner, db, tmp_path):
    _staff()
    units(1)
    path = _file(tmp_path, [sale(1), sale(2, price="-3")])
    result = runner.invoke(args=["sales", "import", path, "--by", "desk@example.com", "--yes"])
    assert result.exit_code == 1
    assert "line 3 HT-0002" in result.output and "The price cannot be negative (-3)." in result.output
    assert "add --valid-only" in result.output and purchase_count() == 0
    result = runner.invoke(args=["sales", "import", path, "--by", "desk@example.com", "--yes",
                                 "--valid-only"])
    assert result.exit_code == 0 and purchase_count() == 1


def test_answering_no_imports_nothing(runner, db, tmp_path):
    _staff()
    units(1)
    result = runner.invoke(args=["sales", "import", _file(tmp_path, [sale(1)]), "--by",
                                 "desk@example.com"], input="n\n")
    assert result.exit_code == 1 and "Aborted" in result.output
    assert purchase_count() == 0
    assert db.session.scalar(select(ImportBatch.status)) == BatchStatus.PREVIEW


def test_a_bad_file_or_an_account_that_may_not_import(runner, db, tmp_path):
    _staff()
    factories.make_member(email="member@example.com")
    db.session.commit()
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = runner.invoke(args=["sales", "import", str(empty), "--by", "desk@example.com"])
    assert result.exit_code == 1 and "The file is empty." in result.output
    for email in ("member@example.com", "nobody@example.com"):
        result = runner.invoke(args=["sales", "import", str(empty), "--by", email])
        assert result.exit_code == 1 and "may import sales" in result.output
    assert batch_count() == 0


def test_resume_continues_a_stopped_import(runner, db):
    _staff()
    units(3)
    staff = factories.make_user("service")
    batch = stage_file("s.csv", csv_bytes([sale(1), sale(2), sale(3)]), staff)
    importer.confirm_batch(batch, staff, valid_only=False)
    batch.status = BatchStatus.FAILED.value
    db.session.commit()
    result = runner.invoke(args=["sales", "resume", str(batch.id), "--by", "desk@example.com"])
    assert result.exit_code == 0, result.output
    assert "3 purchases created" in result.output and purchase_count() == 3
    again = runner.invoke(args=["sales", "resume", str(batch.id), "--by", "desk@example.com"])
    assert again.exit_code == 1 and "This import is not stopped" in again.output
    missing = runner.invoke(args=["sales", "resume", "999", "--by", "desk@example.com"])
    assert missing.exit_code == 1 and "There is no batch 999." in missing.output
