"""Use cases that combine the domain with Slack I/O; listeners, the clock and the CLI all call them."""
