"""Alembic migrations of medtrack's schema (see storage/migrate.py)."""
