"""Timings of the real web process against a bare Bolt app on the same server. Prints figures, never asserts."""
