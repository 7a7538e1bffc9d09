"""Keep aiogram's parametrised `Response[...]` models alive for the whole process.

aiogram validates every Bot API answer through `Response[method.__returning__]`; pydantic caches
parametrised generic models only in a WeakValueDictionary, so once the garbage collector frees
one, the next call rebuilds its schema. Measured in the webhook benchmark: rebuilding
`Response[Message]` and `Response[Message | bool]` took about a fifth of the event loop's time.
Holding a strong reference to each type the bot uses makes every lookup a cache hit.
"""

from __future__ import annotations

from typing import Any

from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteWebhook,
    EditMessageReplyMarkup,
    EditMessageText,
    GetFile,
    GetMe,
    GetUpdates,
    Response,
    SendChatAction,
    SendDocument,
    SendMessage,
    SetMyCommands,
    SetWebhook,
)

_METHODS = (
    AnswerCallbackQuery,
    DeleteWebhook,
    EditMessageReplyMarkup,
    EditMessageText,
    GetFile,
    GetMe,
    GetUpdates,
    SendChatAction,
    SendDocument,
    SendMessage,
    SetMyCommands,
    SetWebhook,
)
PINNED: tuple[Any, ...] = tuple(
    Response[method.__returning__]  # type: ignore[name-defined]
    for method in _METHODS
)
