import importlib

from django.db import migrations, models

# SQLite adds a column with a default by rebuilding the table, which drops its triggers: the
# status counts' triggers (0008) are made again after it, and again after undoing it.
admissions = importlib.import_module("assessments.migrations.0008_admissions")


def _count_statuses_again(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in admissions.SQLITE_DROP + admissions.SQLITE:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("assessments", "0008_admissions"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, _count_statuses_again),
        migrations.AddField(
            model_name="screen",
            name="language",
            field=models.CharField(default="en", max_length=8),
        ),
        migrations.RunPython(_count_statuses_again, migrations.RunPython.noop),
    ]
