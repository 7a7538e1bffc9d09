"""The Zalo channel: our own small httpx client for the Zalo Bot API, and the dialogue on it
(typed replies, reports as signed links).

`client` (the API, retries, the 2,000-character split, redaction) and `models` (its events);
`mapping` (events to the conversation's messages), `files` (photos as evidence), `sender`
(replies and pushes: numbered options, report links, the page-1 preview), `handler` (one event:
dedupe, per-user order, metrics), shared by `polling` (the default) and `webhook` (the route on
the HTTP backend); `check` (the start-up getMe) and `channel` (`build_zalo`, the
`RunningChannel` that `bot.serve` runs)."""
