"""Previous mentoring and formal feedback experience may be "not recorded" (None).

Until now both were required booleans defaulting to False, so everyone added without an answer
(every CSV upload, which had no column for them) was stored as "no". Existing values are kept as
they are: a stored False may be a real "no" or a question never asked, and nothing on record tells
the two apart, so they cannot be turned into "not recorded" here. A lead who knows can correct a
participant on their edit page. New participants start as not recorded.

On SQLite, making a column nullable rebuilds the table, which drops its triggers: the supervisor
triggers of migration 0002 are created again after each rebuild, both ways. PostgreSQL alters the
column in place and keeps its trigger.

Reversing turns "not recorded" back into False, the only value the old column can hold.
"""

import importlib

from django.db import migrations, models

EXPERIENCE_CHOICES = [(True, "Yes"), (False, "No"), (None, "Not recorded")]
FIELDS = ["previous_mentoring_experience", "previous_feedback_experience"]


def recreate_sqlite_supervisor_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    trigger = importlib.import_module("participants.migrations.0002_supervisor_same_cohort_trigger")
    for statement in [*trigger.SQLITE_DROP, *trigger.SQLITE_CREATE]:
        schema_editor.execute(statement)


def not_recorded_to_false(apps, schema_editor):
    Participant = apps.get_model("participants", "Participant")
    for field in FIELDS:
        Participant.objects.filter(**{f"{field}__isnull": True}).update(**{field: False})


class Migration(migrations.Migration):
    dependencies = [("participants", "0007_revisions_for_kept_copies")]

    operations = [
        # Reversed last, after the columns are rebuilt as they were.
        migrations.RunPython(migrations.RunPython.noop, recreate_sqlite_supervisor_triggers),
        migrations.AlterField(
            model_name="participant",
            name="previous_mentoring_experience",
            field=models.BooleanField(blank=True, choices=EXPERIENCE_CHOICES, default=None, null=True),
        ),
        migrations.AlterField(
            model_name="participant",
            name="previous_feedback_experience",
            field=models.BooleanField(
                blank=True,
                choices=EXPERIENCE_CHOICES,
                default=None,
                help_text="Has given or received formal feedback before (e.g. supervised learning events).",
                null=True,
            ),
        ),
        # Reversed first, before the columns become NOT NULL again.
        migrations.RunPython(recreate_sqlite_supervisor_triggers, not_recorded_to_false),
    ]
