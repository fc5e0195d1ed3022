"""Each response keeps its Likert scores in one column as well (questionnaires/scores.py).

Filled here for the responses already answered, cohort by cohort, from their Likert answers.
"""

from collections import defaultdict

from django.db import migrations, models

from questionnaires.scores import encode_scores


def store_scores(apps, schema_editor):
    Cohort = apps.get_model("participants", "Cohort")
    LikertAnswer = apps.get_model("questionnaires", "LikertAnswer")
    Response = apps.get_model("questionnaires", "Response")
    for cohort_id in Cohort.objects.values_list("pk", flat=True).iterator():
        domain_ids = list(
            apps.get_model("participants", "Domain")
            .objects.filter(cohort_id=cohort_id)
            .order_by("position")
            .values_list("pk", flat=True)
        )
        answers = defaultdict(list)
        rows = LikertAnswer.objects.filter(response__participant__cohort_id=cohort_id).values_list(
            "response_id", "construct", "domain_id", "score"
        )
        for response_id, construct, domain_id, score in rows.iterator(chunk_size=10_000):
            answers[response_id].append((construct, domain_id, score))
        Response.objects.bulk_update(
            [Response(pk=pk, likert_scores=encode_scores(scores, domain_ids)) for pk, scores in answers.items()],
            ["likert_scores"],
            batch_size=1000,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0009_programme_contact_email"),
        ("questionnaires", "0006_concerns_choice_in_the_present"),
    ]

    operations = [
        migrations.AddField(
            model_name="response",
            name="likert_scores",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(store_scores, migrations.RunPython.noop),
    ]
