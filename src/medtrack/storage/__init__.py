"""SQLite through SQLModel: engine set-up, migrations, the unit of work, backups."""
