"""The Zalo channel: our own small httpx client for the Zalo Bot API, and the dialogue on it
(typed replies, reports as signed links)."""
