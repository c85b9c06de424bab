"""JSON that users write (extra attributes, decision templates and rules) is stored as text, in order.

On SQLite, changing a column of journeys_journey rebuilds the table, which would drop the triggers
that keep journeys and destinations in one tenant (0011): they are dropped first and made again after.
"""

import importlib

import journeys.models.fields
from django.db import migrations

LINKS = importlib.import_module("journeys.migrations.0011_links_within_one_tenant")


def _on_sqlite(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('journeys', '0014_journey_spec_snapshot'),
    ]

    operations = [
        migrations.RunPython(_on_sqlite(LINKS.SQLITE_REVERSE), _on_sqlite(LINKS.SQLITE)),
        migrations.AlterField(
            model_name='decisionsettings',
            name='input_parameters',
            field=journeys.models.fields.OrderedJSONField(blank=True, help_text="Empty: the journey's attributes.", null=True),
        ),
        migrations.AlterField(
            model_name='decisionsettings',
            name='output_approved',
            field=journeys.models.fields.OrderedJSONField(default=journeys.models.decisions.default_output_approved),
        ),
        migrations.AlterField(
            model_name='decisionsettings',
            name='output_rejected',
            field=journeys.models.fields.OrderedJSONField(default=journeys.models.decisions.default_output_rejected, help_text='$rule: the rejecting rule.'),
        ),
        migrations.AlterField(
            model_name='decisionsettings',
            name='rules',
            field=journeys.models.fields.OrderedJSONField(blank=True, default=list, help_text='[{"path": ..., "pct": ..., "rejects": false}]'),
        ),
        migrations.AlterField(
            model_name='decisionsettings',
            name='runtime_nodes',
            field=journeys.models.fields.OrderedJSONField(default=journeys.models.decisions.default_runtime_nodes, help_text='[{"name": ..., "weight": ...}]'),
        ),
        migrations.AlterField(
            model_name='journey',
            name='extra_attributes',
            field=journeys.models.fields.OrderedJSONField(blank=True, default=dict, help_text='Constant fields added to every event.'),
        ),
        migrations.RunPython(_on_sqlite(LINKS.SQLITE), _on_sqlite(LINKS.SQLITE_REVERSE)),
    ]
