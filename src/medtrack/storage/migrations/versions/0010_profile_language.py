"""The language the patient asks medtrack to speak, kept with each profile version.

'' follows the environment (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), else English; every version
written before this schema follows it. The codes are written out here, not read from
core.language.LANGUAGES: schema 10 stays the schema it was when that list grows (a new language
is a new migration). Not a clinical field: a role that may change the profile may change it.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

from medtrack.storage import pg_schema

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

LANGUAGE = ("ALTER TABLE profile_version ADD COLUMN language TEXT NOT NULL DEFAULT ''"
            " CHECK (language IN ('', 'en', 'de', 'ja'))")


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.execute(pg_schema.ddl(LANGUAGE) if postgres else LANGUAGE)


def downgrade() -> None:
    raise NotImplementedError("medtrack never drops health records")
