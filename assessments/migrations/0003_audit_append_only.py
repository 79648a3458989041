"""On PostgreSQL, refuse every UPDATE and DELETE on the audit table, whoever sends it.

SQLite (development only) has no such guard. TRUNCATE is left to the table's owner: the test
runner needs it to empty the database between tests, and it is not something the app can send.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION assessments_auditentry_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'assessments_auditentry is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER assessments_auditentry_append_only
    BEFORE UPDATE OR DELETE ON assessments_auditentry
    FOR EACH ROW EXECUTE FUNCTION assessments_auditentry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS assessments_auditentry_append_only ON assessments_auditentry;
DROP FUNCTION IF EXISTS assessments_auditentry_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # None: the SQL's % is not a placeholder

    return run


class Migration(migrations.Migration):
    dependencies = [("assessments", "0002_coordinators_group")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
