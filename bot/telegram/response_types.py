"""Keep aiogram's parametrised `Response[...]` models alive for the whole process.

aiogram validates every Bot API answer through `Response[method.__returning__]`; pydantic caches
parametrised generic models only in a WeakValueDictionary, so once the garbage collector frees
one, the next call rebuilds its schema. Measured in the webhook benchmark: rebuilding
`Response[Message]` and `Response[Message | bool]` took about a fifth of the event loop's time.
Holding a strong reference to each type the bot uses makes every lookup a cache hit.
"""

from __future__ import annotations

from typing import Any

from aiogram import methods

_METHODS = (
    methods.AnswerCallbackQuery,
    methods.DeleteWebhook,
    methods.EditMessageReplyMarkup,
    methods.EditMessageText,
    methods.GetFile,
    methods.GetMe,
    methods.GetUpdates,
    methods.SendChatAction,
    methods.SendDocument,
    methods.SendMessage,
    methods.SetMyCommands,
    methods.SetWebhook,
)
PINNED: tuple[Any, ...] = tuple(
    methods.Response[method.__returning__]  # type: ignore[name-defined]
    for method in _METHODS
)
