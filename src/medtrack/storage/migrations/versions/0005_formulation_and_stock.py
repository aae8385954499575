"""Formulations on prescriptions and plans, the warnings a plan was saved with, and the stock.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

from medtrack.storage import pg_schema

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE regimen ADD COLUMN formulation TEXT")
    op.execute("ALTER TABLE regimen ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]'")
    stock = """CREATE TABLE stock (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('add', 'count')),
        at_utc INTEGER NOT NULL,
        zone TEXT NOT NULL,
        strength_ug INTEGER CHECK (strength_ug IS NULL OR strength_ug > 0),
        ug_per_ml INTEGER CHECK (ug_per_ml IS NULL OR ug_per_ml > 0),
        amount INTEGER NOT NULL CHECK (amount >= 0),
        expected INTEGER,
        flagged BOOLEAN NOT NULL DEFAULT 0,
        note TEXT,
        recorded_at_utc INTEGER NOT NULL,
        CHECK ((strength_ug IS NULL) != (ug_per_ml IS NULL))
    )"""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(pg_schema.ddl(stock))
        for event in ("DELETE", "UPDATE"):
            for statement in pg_schema.refuse(f"stock_no_{event.lower()}", event, "stock",
                                              "medtrack: the stock record is append-only"):
                op.execute(statement)
        return
    op.execute(stock)
    op.execute("""CREATE TRIGGER stock_no_delete BEFORE DELETE ON stock
        BEGIN SELECT RAISE(ABORT, 'medtrack: the stock record is append-only'); END""")
    op.execute("""CREATE TRIGGER stock_no_update BEFORE UPDATE ON stock
        BEGIN SELECT RAISE(ABORT, 'medtrack: the stock record is append-only'); END""")


def downgrade() -> None:
    raise NotImplementedError("medtrack never drops health records")
