"""The first schema: profile versions, regimens, the append-only log, symptoms and the lock.

Revision ID: 0001
Revises:
"""

from alembic import op

from medtrack.storage import pg_schema

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = [
    """CREATE TABLE profile_version (
        id INTEGER PRIMARY KEY,
        recorded_at_utc INTEGER NOT NULL,
        name TEXT NOT NULL CHECK (length(name) > 0),
        born TEXT NOT NULL,
        zone TEXT NOT NULL,
        bedtime TEXT NOT NULL,
        wake TEXT NOT NULL,
        liver TEXT NOT NULL CHECK (liver IN ('none', 'mild', 'moderate', 'severe')),
        renal BOOLEAN NOT NULL,
        pregnant BOOLEAN NOT NULL,
        breastfeeding BOOLEAN NOT NULL,
        conditions TEXT NOT NULL,
        min_sleep_min INTEGER NOT NULL CHECK (min_sleep_min BETWEEN 240 AND 720),
        change TEXT NOT NULL
    )""",
    """CREATE TABLE regimen (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('prescription', 'plan')),
        created_at_utc INTEGER NOT NULL,
        prescriber TEXT NOT NULL CHECK (length(prescriber) > 0),
        start_night TEXT NOT NULL,
        acknowledged TEXT,
        acknowledged_ids TEXT NOT NULL DEFAULT '',
        version INTEGER,
        change TEXT,
        reason TEXT,
        round_ug INTEGER
    )""",
    """CREATE TABLE regimen_step (
        id INTEGER PRIMARY KEY,
        regimen_id INTEGER NOT NULL REFERENCES regimen(id),
        start_night TEXT NOT NULL,
        dose_ug INTEGER NOT NULL CHECK (dose_ug BETWEEN 0 AND 100000)
    )""",
    "CREATE INDEX regimen_step_by_regimen ON regimen_step(regimen_id, start_night)",
    """CREATE TABLE record (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('dose', 'skip', 'void')),
        night TEXT NOT NULL,
        at_utc INTEGER NOT NULL,
        zone TEXT NOT NULL,
        dose_ug INTEGER CHECK (
            (kind = 'dose' AND dose_ug IS NOT NULL AND dose_ug BETWEEN 1 AND 100000)
            OR (kind != 'dose' AND dose_ug IS NULL)),
        scheduled_ug INTEGER CHECK (scheduled_ug IS NULL OR scheduled_ug BETWEEN 1 AND 100000),
        already_taken BOOLEAN NOT NULL DEFAULT 0,
        voided BOOLEAN NOT NULL DEFAULT 0 CHECK (voided = 0 OR kind != 'void'),
        voids INTEGER REFERENCES record(id) CHECK ((kind = 'void') = (voids IS NOT NULL)),
        note TEXT,
        acknowledged TEXT,
        rule TEXT,
        recorded_at_utc INTEGER NOT NULL
    )""",
    "CREATE INDEX record_by_night ON record(night, id)",
    "CREATE INDEX record_by_instant ON record(at_utc) WHERE kind = 'dose'",
    "CREATE UNIQUE INDEX record_void_once ON record(voids) WHERE kind = 'void'",
    # One planned dose or skip per night: the schema holds the line even if a bug above does not.
    """CREATE UNIQUE INDEX record_one_per_night ON record(night)
        WHERE kind IN ('dose', 'skip') AND voided = 0 AND already_taken = 0""",
    """CREATE TRIGGER record_no_delete BEFORE DELETE ON record
        BEGIN SELECT RAISE(ABORT, 'medtrack: records are append-only'); END""",
    """CREATE TRIGGER record_only_void BEFORE UPDATE ON record
        WHEN NOT (OLD.voided = 0 AND NEW.voided = 1 AND OLD.kind != 'void'
                  AND NEW.id IS OLD.id AND NEW.kind IS OLD.kind AND NEW.night IS OLD.night
                  AND NEW.at_utc IS OLD.at_utc AND NEW.zone IS OLD.zone
                  AND NEW.dose_ug IS OLD.dose_ug AND NEW.scheduled_ug IS OLD.scheduled_ug
                  AND NEW.already_taken IS OLD.already_taken AND NEW.voids IS OLD.voids
                  AND NEW.note IS OLD.note AND NEW.acknowledged IS OLD.acknowledged
                  AND NEW.rule IS OLD.rule AND NEW.recorded_at_utc IS OLD.recorded_at_utc)
        BEGIN SELECT RAISE(ABORT, 'medtrack: the only change a record allows is voiding'); END""",
    # The 12-hour safety net between counted doses, for planned doses.
    """CREATE TRIGGER record_twelve_hours BEFORE INSERT ON record
        WHEN NEW.kind = 'dose' AND NEW.already_taken = 0 AND EXISTS (
            SELECT 1 FROM record WHERE kind = 'dose' AND voided = 0
               AND at_utc > NEW.at_utc - 43200 AND at_utc < NEW.at_utc + 43200)
        BEGIN SELECT RAISE(ABORT, 'medtrack: doses must be 12 hours apart'); END""",
    """CREATE TABLE symptom (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL CHECK (length(name) > 0),
        effect_id TEXT,
        severity INTEGER CHECK (severity IS NULL OR severity BETWEEN 1 AND 5),
        at_utc INTEGER NOT NULL,
        zone TEXT NOT NULL,
        night TEXT NOT NULL,
        note TEXT,
        urgent BOOLEAN NOT NULL DEFAULT 0,
        recorded_at_utc INTEGER NOT NULL
    )""",
    "CREATE INDEX symptom_by_night ON symptom(night, id)",
    """CREATE TRIGGER symptom_no_delete BEFORE DELETE ON symptom
        BEGIN SELECT RAISE(ABORT, 'medtrack: the journal is append-only'); END""",
    """CREATE TRIGGER symptom_no_update BEFORE UPDATE ON symptom
        BEGIN SELECT RAISE(ABORT, 'medtrack: the journal is append-only'); END""",
    """CREATE TRIGGER profile_no_delete BEFORE DELETE ON profile_version
        BEGIN SELECT RAISE(ABORT, 'medtrack: profile versions are append-only'); END""",
    """CREATE TRIGGER profile_no_update BEFORE UPDATE ON profile_version
        BEGIN SELECT RAISE(ABORT, 'medtrack: profile versions are append-only'); END""",
    """CREATE TRIGGER regimen_no_delete BEFORE DELETE ON regimen
        BEGIN SELECT RAISE(ABORT, 'medtrack: regimens are append-only'); END""",
    """CREATE TRIGGER regimen_no_update BEFORE UPDATE ON regimen
        BEGIN SELECT RAISE(ABORT, 'medtrack: regimens are append-only'); END""",
    """CREATE TRIGGER step_no_delete BEFORE DELETE ON regimen_step
        BEGIN SELECT RAISE(ABORT, 'medtrack: regimens are append-only'); END""",
    """CREATE TRIGGER step_no_update BEFORE UPDATE ON regimen_step
        BEGIN SELECT RAISE(ABORT, 'medtrack: regimens are append-only'); END""",
    """CREATE TABLE prescriber_lock (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        pin_hash TEXT,
        failures INTEGER NOT NULL DEFAULT 0,
        locked_until_utc INTEGER,
        changed_at_utc INTEGER NOT NULL
    )""",
]


# The same triggers on PostgreSQL, raising the same messages.
PG_TRIGGERS = [
    pg_schema.REFUSE_FUNCTION,
    *pg_schema.refuse("record_no_delete", "DELETE", "record", "medtrack: records are append-only"),
    *pg_schema.only_void(pg_schema.RECORD_COLUMNS),
    *pg_schema.TWELVE_HOURS,
    *pg_schema.refuse("symptom_no_delete", "DELETE", "symptom", "medtrack: the journal is append-only"),
    *pg_schema.refuse("symptom_no_update", "UPDATE", "symptom", "medtrack: the journal is append-only"),
    *pg_schema.refuse("profile_no_delete", "DELETE", "profile_version",
                      "medtrack: profile versions are append-only"),
    *pg_schema.refuse("profile_no_update", "UPDATE", "profile_version",
                      "medtrack: profile versions are append-only"),
    *pg_schema.refuse("regimen_no_delete", "DELETE", "regimen", "medtrack: regimens are append-only"),
    *pg_schema.refuse("regimen_no_update", "UPDATE", "regimen", "medtrack: regimens are append-only"),
    *pg_schema.refuse("step_no_delete", "DELETE", "regimen_step", "medtrack: regimens are append-only"),
    *pg_schema.refuse("step_no_update", "UPDATE", "regimen_step", "medtrack: regimens are append-only"),
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in SCHEMA:
            if not statement.startswith("CREATE TRIGGER"):
                op.execute(pg_schema.ddl(statement))
        for statement in PG_TRIGGERS:
            op.execute(statement)
        return
    for statement in SCHEMA:
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("medtrack never drops health records")
