"""A backup restores: pg_dump -Fc of the database, pg_restore into a new empty one, every row found.

The procedure is the README's ("Backup and restore"). PostgreSQL only: skipped on SQLite.
"""

import os
import shutil
import subprocess
import uuid

import psycopg2
import pytest
from django.apps import apps
from django.conf import settings
from psycopg2 import sql

from audit.models import Action
from audit.services import audit_record
from tests.security.world import build_world

pytestmark = pytest.mark.django_db(transaction=True)


def connect(dbname: str):
    database = settings.DATABASES["default"]
    connection = psycopg2.connect(
        dbname=dbname,
        user=database["USER"],
        password=database.get("PASSWORD") or None,
        host=database["HOST"],
        port=database["PORT"],
    )
    connection.autocommit = True
    return connection


def client_arguments() -> list[str]:
    database = settings.DATABASES["default"]
    return ["--host", str(database["HOST"]), "--port", str(database["PORT"]), "--username", database["USER"]]


def client_environment() -> dict:
    return {**os.environ, "PGPASSWORD": settings.DATABASES["default"].get("PASSWORD") or ""}


@pytest.fixture
def empty_database():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs DATABASE_URL=postgres://...: backups are PostgreSQL dumps")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("needs pg_dump and pg_restore")
    name = f"rmprog_restore_{uuid.uuid4().hex[:12]}"
    server = connect("postgres")
    server.cursor().execute(f'CREATE DATABASE "{name}"')
    yield name
    server.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    server.close()


def row_counts(cursor) -> dict[str, int]:
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = cursor.fetchone()[0]
    return counts


def test_a_dump_restored_into_an_empty_database_has_every_row_of_every_table(empty_database, tmp_path):
    build_world()
    audit_record(Action.EXPORT, target="backup test", detail="a row of the audit trail")
    source = connect(settings.DATABASES["default"]["NAME"])
    before = row_counts(source.cursor())
    assert sum(before.values()) > 100
    assert all(
        before[table]
        for table in ("participants_participant", "audit_auditevent", "mentoring_sessions_feedbacksection")
    )

    dump = tmp_path / "rmprog.dump"
    subprocess.run(
        ["pg_dump", *client_arguments(), "--format=custom", "--no-owner", "--file", str(dump), source.info.dbname],
        check=True,
        env=client_environment(),
    )
    subprocess.run(
        ["pg_restore", *client_arguments(), "--no-owner", "--exit-on-error", "--dbname", empty_database, str(dump)],
        check=True,
        env=client_environment(),
    )
    source.close()

    restored = connect(empty_database)
    cursor = restored.cursor()
    assert row_counts(cursor) == before
    # The restored trail is still append-only: its trigger came back with it.
    with pytest.raises(psycopg2.Error, match="append-only"):
        cursor.execute("UPDATE audit_auditevent SET detail = 'changed'")
    restored.close()
