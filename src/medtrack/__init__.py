"""medtrack: a bedtime dose tracker for flunitrazepam that checks each dose before it is taken."""

__version__ = "0.1.0"  # as pyproject.toml says (a test checks they agree)
