"""The migrations build the schema the models describe, and undo it, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from portal import create_app
from portal.core.hooks import is_managed_schema
from portal.extensions import db
from tests.conftest import test_config


def _upgrade_check_downgrade(app) -> None:
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            # Objects made by raw SQL in migrations (FTS tables, the grams GIN index) are
            # declared by their features with core.hooks.add_unmanaged_schema.
            context = MigrationContext.configure(connection, opts={
                "compare_type": True, "render_as_batch": True,
                "include_name": lambda name, type_, _parents: is_managed_schema(name)})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], f"models and migrations disagree: {differences}"
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        downgrade(revision="base")
        remaining = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set(), f"downgrade left tables behind: {remaining}"
        upgrade()  # and up again: downgrades must leave a clean slate
        db.engine.dispose()


def test_migrations_on_sqlite(tmp_path):
    app = create_app(test_config(tmp_path))
    _upgrade_check_downgrade(app)


@pytest.mark.postgres
def test_migrations_on_postgres(tmp_path, postgres_server):
    url = postgres_server.create_database("migrations")
    app = create_app(test_config(tmp_path, SQLALCHEMY_DATABASE_URI=url))
    _upgrade_check_downgrade(app)
