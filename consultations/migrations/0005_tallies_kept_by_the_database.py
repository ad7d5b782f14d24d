"""The running vote tallies are kept by the database itself: triggers on the
votes table move the counts in the same statement as the vote, whatever
changes a vote (the services, a cascade when a person or a consultation is
deleted, a bulk load). A vote then needs one statement and no transaction of
its own, and no path can leave the tallies behind the votes.

Deleting a vote only ever lowers an existing tally: a cascade may delete the
tally rows before the votes, and must not bring them back.

SQLite loses a table's triggers when Django rebuilds the table to alter it: a
later migration that alters the votes table creates them again (see 0006).
"""

from django.db import migrations

POSTGRESQL = [
    """
    CREATE FUNCTION consultations_tally_add(
        consultation bigint, provision bigint, agree int, disagree int, abstain int,
        may_create boolean
    ) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
        LOOP
            IF provision IS NULL THEN
                UPDATE consultations_votetally AS tally
                   SET agree = tally.agree + consultations_tally_add.agree,
                       disagree = tally.disagree + consultations_tally_add.disagree,
                       abstain = tally.abstain + consultations_tally_add.abstain
                 WHERE tally.consultation_id = consultations_tally_add.consultation
                   AND tally.provision_id IS NULL;
            ELSE
                UPDATE consultations_votetally AS tally
                   SET agree = tally.agree + consultations_tally_add.agree,
                       disagree = tally.disagree + consultations_tally_add.disagree,
                       abstain = tally.abstain + consultations_tally_add.abstain
                 WHERE tally.consultation_id = consultations_tally_add.consultation
                   AND tally.provision_id = consultations_tally_add.provision;
            END IF;
            IF FOUND OR NOT may_create THEN
                RETURN;
            END IF;
            INSERT INTO consultations_votetally
                (consultation_id, provision_id, agree, disagree, abstain)
            VALUES (consultation, provision, agree, disagree, abstain)
            ON CONFLICT DO NOTHING;
            IF FOUND THEN
                RETURN;
            END IF;
            -- A parallel vote created the row first: count on it.
        END LOOP;
    END
    $$
    """,
    """
    CREATE FUNCTION consultations_vote_tally() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            PERFORM consultations_tally_add(
                OLD.consultation_id, OLD.provision_id, -(OLD.choice = 'agree')::int,
                -(OLD.choice = 'disagree')::int, -(OLD.choice = 'abstain')::int, false
            );
        END IF;
        IF TG_OP <> 'DELETE' THEN
            PERFORM consultations_tally_add(
                NEW.consultation_id, NEW.provision_id, (NEW.choice = 'agree')::int,
                (NEW.choice = 'disagree')::int, (NEW.choice = 'abstain')::int, true
            );
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER consultations_vote_tally_insert_delete
    AFTER INSERT OR DELETE ON consultations_vote
    FOR EACH ROW EXECUTE FUNCTION consultations_vote_tally()
    """,
    """
    CREATE TRIGGER consultations_vote_tally_update
    AFTER UPDATE OF choice, consultation_id, provision_id ON consultations_vote
    FOR EACH ROW WHEN (
        OLD.choice IS DISTINCT FROM NEW.choice
        OR OLD.consultation_id IS DISTINCT FROM NEW.consultation_id
        OR OLD.provision_id IS DISTINCT FROM NEW.provision_id
    )
    EXECUTE FUNCTION consultations_vote_tally()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS consultations_vote_tally_update ON consultations_vote",
    "DROP TRIGGER IF EXISTS consultations_vote_tally_insert_delete ON consultations_vote",
    "DROP FUNCTION IF EXISTS consultations_vote_tally()",
    "DROP FUNCTION IF EXISTS consultations_tally_add(bigint, bigint, int, int, int, boolean)",
]

# SQLite: the same, as trigger programs. "IS" compares NULLs as equal; the
# tally row is created first (OR IGNORE keeps an existing one), then moved.
_CREATE = """
    INSERT OR IGNORE INTO consultations_votetally
        (consultation_id, provision_id, agree, disagree, abstain)
    VALUES (NEW.consultation_id, NEW.provision_id, 0, 0, 0);
"""
_ADD = """
    UPDATE consultations_votetally
       SET agree = agree + (NEW.choice = 'agree'),
           disagree = disagree + (NEW.choice = 'disagree'),
           abstain = abstain + (NEW.choice = 'abstain')
     WHERE consultation_id = NEW.consultation_id AND provision_id IS NEW.provision_id;
"""
_REMOVE = """
    UPDATE consultations_votetally
       SET agree = agree - (OLD.choice = 'agree'),
           disagree = disagree - (OLD.choice = 'disagree'),
           abstain = abstain - (OLD.choice = 'abstain')
     WHERE consultation_id = OLD.consultation_id AND provision_id IS OLD.provision_id;
"""
SQLITE = [
    f"""
    CREATE TRIGGER consultations_vote_tally_insert AFTER INSERT ON consultations_vote
    BEGIN {_CREATE} {_ADD} END
    """,
    f"""
    CREATE TRIGGER consultations_vote_tally_delete AFTER DELETE ON consultations_vote
    BEGIN {_REMOVE} END
    """,
    f"""
    CREATE TRIGGER consultations_vote_tally_update
    AFTER UPDATE OF choice, consultation_id, provision_id ON consultations_vote
    WHEN OLD.choice IS NOT NEW.choice
      OR OLD.consultation_id IS NOT NEW.consultation_id
      OR OLD.provision_id IS NOT NEW.provision_id
    BEGIN {_REMOVE} {_CREATE} {_ADD} END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS consultations_vote_tally_update",
    "DROP TRIGGER IF EXISTS consultations_vote_tally_delete",
    "DROP TRIGGER IF EXISTS consultations_vote_tally_insert",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            raise NotImplementedError(f"vote tally triggers are written for {sorted(statements)}")
        for statement in statements[vendor]:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("consultations", "0004_screening_marks")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
