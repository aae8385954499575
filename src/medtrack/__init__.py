"""medtrack."""
