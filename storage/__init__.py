"""SQLModel persistence implementing the conversation layer's ports."""
