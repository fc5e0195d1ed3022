"""Give existing cohorts the study's seven themes, now that a codebook is seeded when a cohort is made.

Until now the codebook was seeded the first time it was shown, for any cohort without themes,
so a cohort with no themes and nothing coded would have been shown the seven: it gets them
here. A cohort whose answers have been coded keeps the codebook it has, even an empty one.
"""

from django.db import migrations

# The study's themes as they were when this migration was written (analysis.models.STUDY_THEMES).
STUDY_THEMES = [
    "Hierarchy or power gradient concerns",
    "Selection bias",
    "Offending consultants",
    "No change to practice",
    "Not having enough time to do it properly",
    "Collaborative approach to feedback more useful",
    "Refreshing idea",
]


def seed_study_themes(apps, schema_editor):
    Cohort = apps.get_model("participants", "Cohort")
    Theme = apps.get_model("analysis", "Theme")
    ThemeCoding = apps.get_model("analysis", "ThemeCoding")
    coded = ThemeCoding.objects.values("answer__response__participant__cohort_id")
    cohorts = Cohort.objects.filter(themes__isnull=True).exclude(pk__in=coded).values_list("pk", flat=True)
    Theme.objects.bulk_create(
        Theme(cohort_id=cohort_id, label=label, position=position)
        for cohort_id in cohorts.iterator()
        for position, label in enumerate(STUDY_THEMES, 1)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("analysis", "0003_ordering_by_column"),
    ]

    operations = [
        # Backwards the themes stay: the earlier code would have seeded the same ones on first view.
        migrations.RunPython(seed_study_themes, migrations.RunPython.noop),
    ]
