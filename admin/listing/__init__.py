"""The listing wing: what makes the big lists fast (filled in by the next commits)."""
