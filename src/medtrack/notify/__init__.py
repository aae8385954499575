"""The desktop around medtrack: notifications over D-Bus and the systemd units that run reminders.

Adapters only: they import core and errors, never storage, services, cli or tui; the CLI hands
them to the reminder service. Nothing here is imported by `status`, `log` or the screen."""
