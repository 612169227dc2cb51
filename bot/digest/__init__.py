"""The weekly digest: domain summary -> blocks -> chat.postMessage. Shared by the CLI and the clock process."""
