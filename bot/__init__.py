"""The chat side: the channels (`bot.telegram`, `bot.console`), their settings and the
composition root that wires them to the conversation service (`bot.wiring`, `bot.serve`)."""
