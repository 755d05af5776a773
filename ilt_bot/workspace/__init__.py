"""The Workspace gateway: the only code in the bot that talks HTTP (to Google, or to the sandbox)."""
