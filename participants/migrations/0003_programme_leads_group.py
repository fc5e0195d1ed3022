from django.db import migrations

GROUP_NAME = "Programme leads"
# Leads create programmes in the application; everything else they may do is
# decided per programme by Programme.leads, not by model permissions.
PERMISSIONS = [("participants", "add_programme")]


def create_group(apps, schema_editor):
    # Permissions are normally created after migrate; make this one now so the
    # group can hold it on a fresh database.
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    for app_label, codename in PERMISSIONS:
        action, model = codename.split("_", 1)
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": f"Can {action} {model}"}
        )
        group.permissions.add(permission)


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0002_supervisor_same_cohort_trigger"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
