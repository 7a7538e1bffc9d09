"""Channel-agnostic dialogue engine (the conversation issue builds it)."""
