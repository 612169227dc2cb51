"""The Slack plumbing: the Bolt app, its HTTP and Socket Mode servers, OAuth, tokens, scopes, users.info."""
