"""SQLModel persistence implementing the conversation layer's ports (the storage issue builds it)."""
