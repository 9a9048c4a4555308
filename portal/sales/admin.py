"""Staff pages of the sales import: upload → preview → confirm; batches; purchases and CSV.

Every view runs in the request's unit of work: load (404) → check (403) → one service
call → return. An upload the parser refuses re-renders the form with the reason (400)
and writes nothing; an upload over the request limit (MAX_CONTENT_LENGTH) gets the same
page with a 413 instead of the generic error page.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.permissions import P, require_permission
from portal.core.csvexport import csv_response
from portal.core.loaders import get_or_404
from portal.core.pagination import paginate, requested_page
from portal.core.security import client_ip
from portal.core.timeutil import utcnow
from portal.core.uow import flashed_errors, form_errors
from portal.sales import importer, reports, staging
from portal.sales.forms import ImportConfirmForm, SalesUploadForm
from portal.sales.models import BatchStatus, ImportBatch, PurchaseStatus
from portal.sales.parsing import OPTIONAL_COLUMNS, REQUIRED_COLUMNS

bp = Blueprint("sales_admin", __name__, url_prefix="/admin/sales")
REFRESH_SECONDS = 3


def _max_megabytes() -> int:
    return current_app.config["SALES_IMPORT_MAX_BYTES"] // (1024 * 1024)


def _render_upload(form: SalesUploadForm, status: int = 200):
    return render_template("sales/admin/upload.html", form=form, batches=reports.recent_batches(),
                           required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS,
                           max_mb=_max_megabytes()), status


@bp.get("/")
@require_permission(P.IMPORT_SALES)
def upload_page():
    return _render_upload(SalesUploadForm(formdata=None))


@bp.post("/")
@require_permission(P.IMPORT_SALES)
def upload():
    form = SalesUploadForm()
    if form.validate():
        with form_errors(form, "file"):
            upload = form.file.data
            data = upload.read(current_app.config["SALES_IMPORT_MAX_BYTES"] + 1)
            batch = staging.stage_file(upload.filename, data, current_user, ip=client_ip())
            return redirect(url_for("sales_admin.batch_detail", batch_id=batch.id))
    return _render_upload(form, 400)


@bp.errorhandler(413)
def upload_too_large(_error):
    """The body was over MAX_CONTENT_LENGTH: nothing was read, the form says why."""
    form = SalesUploadForm(formdata=None)
    form.file.errors = [_("The file is larger than %(limit)s MB.", limit=_max_megabytes())]
    return _render_upload(form, 413)


# --- batches ------------------------------------------------------------------------------------

@bp.get("/batches")
@require_permission(P.IMPORT_SALES)
def batch_list():
    return render_template("sales/admin/batches.html",
                           page=paginate(reports.batches_query(), reports.PAGE_SIZE))


def _render_batch(batch: ImportBatch, form: ImportConfirmForm | None = None, status: int = 200):
    view = reports.batch_page(batch)
    refresh = batch.status == BatchStatus.IMPORTING and not view.resumable
    response = make_response(render_template("sales/admin/batch.html", view=view, batch=batch,
                                             form=form or ImportConfirmForm(formdata=None),
                                             refresh=refresh), status)
    if refresh:
        # The progress bar moves without JavaScript: browsers reload a page sent with Refresh.
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    return response


@bp.get("/batches/<int:batch_id>")
@require_permission(P.IMPORT_SALES)
def batch_detail(batch_id: int):
    return _render_batch(get_or_404(ImportBatch, batch_id))


@bp.post("/batches/<int:batch_id>/confirm")
@require_permission(P.IMPORT_SALES)
def confirm(batch_id: int):
    batch = get_or_404(ImportBatch, batch_id)
    form = ImportConfirmForm()
    status = 400
    if form.validate():
        with form_errors(form):
            importer.confirm_and_start(batch, current_user, valid_only=form.valid_only.data,
                                       ip=client_ip())
            flash(_("The import runs in the background; this page shows its progress.")
                  if batch.status == BatchStatus.IMPORTING else _("The file is imported."), "success")
            return redirect(url_for("sales_admin.batch_detail", batch_id=batch.id))
        status = 409
    return _render_batch(batch, form, status)


@bp.post("/batches/<int:batch_id>/resume")
@require_permission(P.IMPORT_SALES)
def resume(batch_id: int):
    batch = get_or_404(ImportBatch, batch_id)
    with flashed_errors():
        importer.resume_and_start(batch, current_user, ip=client_ip())
        flash(_("The import continues where it stopped."), "success")
    return redirect(url_for("sales_admin.batch_detail", batch_id=batch.id))


@bp.get("/batches/<int:batch_id>/invalid.csv")
@require_permission(P.IMPORT_SALES)
def invalid_csv(batch_id: int):
    batch = get_or_404(ImportBatch, batch_id)
    rows = ([row.line, row.contract_no, "; ".join(row.reasons)] for row in reports.invalid_rows(batch))
    return csv_response(f"sales-import-{batch.id}-invalid.csv",
                        [_("Line"), _("Contract number"), _("Reasons")], rows)


# --- purchases ----------------------------------------------------------------------------------

@bp.get("/purchases")
@require_permission(P.IMPORT_SALES)
def purchase_list():
    filters = reports.parse_filters(request.args)
    return render_template("sales/admin/purchases.html", filters=filters,
                           statuses=PurchaseStatus.choices(),
                           view=reports.purchases_page(filters, requested_page()))


@bp.get("/purchases.csv")
@require_permission(P.IMPORT_SALES)
def export_csv():
    filters = reports.parse_filters(request.args)
    header = [_("Contract number"), _("Development"), _("Building"), _("Unit"), _("Buyer"), _("Phone"),
              _("E-mail"), _("Signed on"), _("Price"), _("Currency"), _("Status"), _("Referral code"),
              _("Member ID"), _("Referral ID"), _("Import")]
    labels = {key: str(value) for key, value in PurchaseStatus.labels().items()}
    return csv_response(f"purchases-{utcnow():%Y%m%d-%H%M}.csv", header,
                        reports.export_rows(filters, labels))
