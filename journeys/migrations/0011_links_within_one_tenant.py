"""A journey delivers only to its own tenant's destinations: held by the database too.

A check constraint cannot look at other tables, so triggers refuse (as an integrity error) a
journey-destination row joining two tenants, and moving a linked journey or destination to another
tenant. SQLite and PostgreSQL each get their own dialect; other databases rely on the model's
``clean()`` and the services.
"""

from django.db import migrations

MESSAGE = "a journey can only deliver to its own tenant's destinations"

SQLITE = [
    f"""
    CREATE TRIGGER journeys_link_same_tenant_insert BEFORE INSERT ON journeys_journeydestination
    FOR EACH ROW WHEN (SELECT tenant_id FROM journeys_journey WHERE id = NEW.journey_id)
        IS NOT (SELECT tenant_id FROM journeys_destination WHERE id = NEW.destination_id)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE.replace("'", "''")}'); END;
    """,
    f"""
    CREATE TRIGGER journeys_link_same_tenant_update BEFORE UPDATE OF journey_id, destination_id
    ON journeys_journeydestination
    FOR EACH ROW WHEN (SELECT tenant_id FROM journeys_journey WHERE id = NEW.journey_id)
        IS NOT (SELECT tenant_id FROM journeys_destination WHERE id = NEW.destination_id)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE.replace("'", "''")}'); END;
    """,
    f"""
    CREATE TRIGGER journeys_linked_journey_stays BEFORE UPDATE OF tenant_id ON journeys_journey
    FOR EACH ROW WHEN EXISTS (
        SELECT 1 FROM journeys_journeydestination link
        JOIN journeys_destination destination ON destination.id = link.destination_id
        WHERE link.journey_id = NEW.id AND destination.tenant_id IS NOT NEW.tenant_id)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE.replace("'", "''")}'); END;
    """,
    f"""
    CREATE TRIGGER journeys_linked_destination_stays BEFORE UPDATE OF tenant_id ON journeys_destination
    FOR EACH ROW WHEN EXISTS (
        SELECT 1 FROM journeys_journeydestination link
        JOIN journeys_journey journey ON journey.id = link.journey_id
        WHERE link.destination_id = NEW.id AND journey.tenant_id IS NOT NEW.tenant_id)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE.replace("'", "''")}'); END;
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS journeys_link_same_tenant_insert;",
    "DROP TRIGGER IF EXISTS journeys_link_same_tenant_update;",
    "DROP TRIGGER IF EXISTS journeys_linked_journey_stays;",
    "DROP TRIGGER IF EXISTS journeys_linked_destination_stays;",
]

POSTGRES = [
    f"""
    CREATE FUNCTION journeys_link_same_tenant() RETURNS trigger AS $$
    BEGIN
        IF (SELECT tenant_id FROM journeys_journey WHERE id = NEW.journey_id)
           IS DISTINCT FROM (SELECT tenant_id FROM journeys_destination WHERE id = NEW.destination_id) THEN
            RAISE EXCEPTION '{MESSAGE.replace("'", "''")}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER journeys_link_same_tenant BEFORE INSERT OR UPDATE OF journey_id, destination_id
    ON journeys_journeydestination FOR EACH ROW EXECUTE FUNCTION journeys_link_same_tenant();
    """,
    f"""
    CREATE FUNCTION journeys_linked_journey_stays() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM journeys_journeydestination link
                   JOIN journeys_destination destination ON destination.id = link.destination_id
                   WHERE link.journey_id = NEW.id AND destination.tenant_id IS DISTINCT FROM NEW.tenant_id) THEN
            RAISE EXCEPTION '{MESSAGE.replace("'", "''")}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER journeys_linked_journey_stays BEFORE UPDATE OF tenant_id ON journeys_journey
    FOR EACH ROW EXECUTE FUNCTION journeys_linked_journey_stays();
    """,
    f"""
    CREATE FUNCTION journeys_linked_destination_stays() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM journeys_journeydestination link
                   JOIN journeys_journey journey ON journey.id = link.journey_id
                   WHERE link.destination_id = NEW.id AND journey.tenant_id IS DISTINCT FROM NEW.tenant_id) THEN
            RAISE EXCEPTION '{MESSAGE.replace("'", "''")}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER journeys_linked_destination_stays BEFORE UPDATE OF tenant_id ON journeys_destination
    FOR EACH ROW EXECUTE FUNCTION journeys_linked_destination_stays();
    """,
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS journeys_link_same_tenant ON journeys_journeydestination;",
    "DROP TRIGGER IF EXISTS journeys_linked_journey_stays ON journeys_journey;",
    "DROP TRIGGER IF EXISTS journeys_linked_destination_stays ON journeys_destination;",
    "DROP FUNCTION IF EXISTS journeys_link_same_tenant();",
    "DROP FUNCTION IF EXISTS journeys_linked_journey_stays();",
    "DROP FUNCTION IF EXISTS journeys_linked_destination_stays();",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("journeys", "0010_variants_and_surges")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        )
    ]
