"""medtrack: a bedtime dose tracker for flunitrazepam that checks each dose before it is taken."""
