"""The after-phase-2 concerns question's first choice reads "None now", in the present like its question.

Default questionnaires are created only when missing, so databases made before the wording changed
keep "I had no concerns" unless it is changed here. Only that label, on the default question
(key concerns_compared) and only where a lead has not reworded it; the stored value stays "none".
"""

import uuid

from django.db import migrations

OLD, NEW = ["none", "I had no concerns"], ["none", "None now"]


def relabel(apps, schema_editor, old=OLD, new=NEW):
    Item = apps.get_model("questionnaires", "Item")
    Instrument = apps.get_model("questionnaires", "Instrument")
    changed = set()
    for item in Item.objects.filter(key="concerns_compared"):
        if old in item.choices:
            item.choices = [new if choice == old else choice for choice in item.choices]
            item.save(update_fields=["choices"])
            changed.add(item.instrument_id)
    # Processes keep instruments' items in memory under this revision: renew it for those changed.
    for instrument_id in changed:
        Instrument.objects.filter(pk=instrument_id).update(items_revision=uuid.uuid4())


def relabel_back(apps, schema_editor):
    relabel(apps, schema_editor, old=NEW, new=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("questionnaires", "0005_token_hash_unique_without_like_index"),
    ]

    operations = [migrations.RunPython(relabel, relabel_back)]
