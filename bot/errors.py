"""One exception tree for the whole advisor.

    AdvisorError                 anything the advisor raises on purpose
    ├── ConfigError              config.yaml or environment variables are wrong or missing
    ├── KnowledgeError           the knowledge YAML cannot be loaded; `.problems` lists every one
    ├── StorageError             the SQLite database cannot be opened, migrated or written
    │   └── StateError           a user's saved state has no shape this advisor reads (a garbled or hand-edited row)
    ├── TransportError           the Telegram side cannot start (bad token, unreachable Bot API, …)
    ├── ActionError              a button's action is not one the bot makes (forged, garbled, too long)
    └── TurnError                a user's event handed to the engine while their previous one is still handled

Callers catch `AdvisorError` at the edge, show the user a kind sentence and log the cause once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class AdvisorError(Exception):
    """Base of every error the advisor raises on purpose."""


class ConfigError(AdvisorError):
    """The configuration (file or environment) is missing a value or has a wrong one."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a knowledge file, precise enough for an admin to fix it from the message alone."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class KnowledgeError(AdvisorError):
    """The knowledge base has problems; all of them are listed, not just the first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the knowledge base"
        super().__init__("\n".join([head, *(str(p) for p in self.problems)]))


class StorageError(AdvisorError):
    """The database cannot be opened, migrated, read or written."""


class StateError(StorageError):
    """A user's saved state (walkthrough progress, /plan, a tool's form) does not have a shape this advisor reads.

    The message names the part and the field and says what is wrong, never the value (it may be the user's words).
    """


class TransportError(AdvisorError):
    """The Telegram transport cannot start or talk to the Bot API."""


class ActionError(AdvisorError):
    """A button's action or callback data is not one the bot makes (bot/core/actions.py): forged, garbled, from a
    grammar no longer spoken, or too long for Telegram's 64 bytes."""


class TurnError(AdvisorError):
    """An event was handed to the engine while the same user's previous event was still being handled: the caller
    must keep each user's events in order (bot.locks), or two writes of one saved state would race."""
