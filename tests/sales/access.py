from portal.sales.staging import stage_file
from tests import factories
from tests.access import ADMIN, SERVICE, Route, only
from tests.sales.helpers import csv_bytes, sale

IMPORTERS = (SERVICE, ADMIN)  # P.IMPORT_SALES


def _batch(suffix: str = ""):
    def build(world) -> str:
        factories.make_unit(development="Jade Lake", building="1", number="101")
        batch = stage_file("sales.csv", csv_bytes([sale(1), sale(2, price="-1")]), world.users[ADMIN])
        return f"/admin/sales/batches/{batch.id}{suffix}"
    return build


RULES = [
    Route("sales_admin.upload_page", only(IMPORTERS)),
    Route("sales_admin.upload", only(IMPORTERS, 400), method="POST"),
    Route("sales_admin.batch_list", only(IMPORTERS)),
    Route("sales_admin.batch_detail", only(IMPORTERS), path=_batch()),
    Route("sales_admin.confirm", only(IMPORTERS, 409), method="POST", path=_batch("/confirm")),
    Route("sales_admin.resume", only(IMPORTERS, 302), method="POST", path=_batch("/resume")),
    Route("sales_admin.invalid_csv", only(IMPORTERS), path=_batch("/invalid.csv")),
    Route("sales_admin.purchase_list", only(IMPORTERS)),
    Route("sales_admin.export_csv", only(IMPORTERS)),
]
