"""A database trigger keeps a participant's supervisor a mentee of the same cohort.

A check constraint cannot look at another row, and Django has no composite
foreign key, so the rule is a trigger on each supported database.
"""

from django.db import migrations

MESSAGE = "participant_supervisor_same_cohort: a supervisor must be a mentee of the same cohort"

POSTGRES_CREATE = f"""
CREATE FUNCTION participants_check_supervisor() RETURNS trigger AS $$
BEGIN
    IF NEW.supervisor_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM participants_participant s
        WHERE s.id = NEW.supervisor_id AND s.cohort_id = NEW.cohort_id AND s.role = 'mentee'
    ) THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.role <> 'mentee' AND EXISTS (
        SELECT 1 FROM participants_participant p WHERE p.supervisor_id = NEW.id
    ) THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.cohort_id <> OLD.cohort_id AND EXISTS (
        SELECT 1 FROM participants_participant p WHERE p.supervisor_id = NEW.id
    ) THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER participants_check_supervisor
    BEFORE INSERT OR UPDATE ON participants_participant
    FOR EACH ROW EXECUTE FUNCTION participants_check_supervisor();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS participants_check_supervisor ON participants_participant;
DROP FUNCTION IF EXISTS participants_check_supervisor();
"""

SQLITE_BODY = f"""
BEGIN
    SELECT RAISE(ABORT, '{MESSAGE}')
    WHERE NEW.supervisor_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM participants_participant s
        WHERE s.id = NEW.supervisor_id AND s.cohort_id = NEW.cohort_id AND s.role = 'mentee'
    );
    SELECT RAISE(ABORT, '{MESSAGE}')
    WHERE NEW.role <> 'mentee' AND EXISTS (
        SELECT 1 FROM participants_participant p WHERE p.supervisor_id = NEW.id
    );
    SELECT RAISE(ABORT, '{MESSAGE}')
    WHERE EXISTS (
        SELECT 1 FROM participants_participant p
        WHERE p.supervisor_id = NEW.id AND p.cohort_id <> NEW.cohort_id
    );
END;
"""
SQLITE_CREATE = [
    "CREATE TRIGGER participants_check_supervisor_insert BEFORE INSERT ON participants_participant "
    "FOR EACH ROW " + SQLITE_BODY,
    "CREATE TRIGGER participants_check_supervisor_update BEFORE UPDATE ON participants_participant "
    "FOR EACH ROW " + SQLITE_BODY,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS participants_check_supervisor_insert",
    "DROP TRIGGER IF EXISTS participants_check_supervisor_update",
]


def create_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_CREATE)
    elif vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)
    else:
        raise RuntimeError(f"No supervisor trigger written for the {vendor} database.")


def drop_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = [POSTGRES_DROP] if vendor == "postgresql" else SQLITE_DROP
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("participants", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
