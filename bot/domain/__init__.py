"""Flag rules and use cases. No Slack imports here: the web and scheduler processes share this code."""
