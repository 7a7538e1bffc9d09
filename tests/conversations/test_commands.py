"""The slash commands are one table: the menu, the names typed and the help text agree."""

from __future__ import annotations

import re

import pytest

from conversations import catalogue as say
from conversations.commands import BY_NAME, COMMANDS, MENU, Command
from conversations.intents import INTENT_KINDS, parse_intent


def test_every_command_stands_for_a_known_intent() -> None:
    assert {c.intent for c in COMMANDS if c.intent is not None} <= INTENT_KINDS
    names = [name for c in COMMANDS for name in (c.name, *c.aliases)]
    assert len(names) == len(set(names)), "a name typed must mean one command"


def test_the_menu_is_what_telegram_accepts() -> None:
    """setMyCommands: 1-32 characters of a-z, 0-9 and _, a description of 1-256."""
    assert MENU[0][0] == "start"
    for name, description in MENU:
        assert re.fullmatch(r"[a-z0-9_]{1,32}", name), name
        assert 1 <= len(description) <= 256


def test_every_command_the_help_text_names_is_understood() -> None:
    named = set(re.findall(r"/([a-z]+)", say.HELP))
    assert named
    assert named <= set(BY_NAME)


@pytest.mark.parametrize("command", [c for c in COMMANDS if c.intent is not None])
def test_each_name_typed_reaches_its_intent(command: Command) -> None:
    for name in (command.name, *command.aliases):
        intent = parse_intent(f"/{name}")
        assert intent is not None, name
        assert intent.kind == command.intent, name
