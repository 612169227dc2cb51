"""Every callback, action and block id the app uses, in one place (manifest.yml repeats the shortcut's)."""

SLASH_COMMAND = "/deadline-flag"
