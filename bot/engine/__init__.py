"""The advisor engine: one incoming event for one user → durable new state → replies, for any transport.

Split by job: `events` (what a transport hands in and gets back), `knowledge` (the generation swapped on reload),
`rebuild` (builds a new one in a child process), `saved_state` (per-user state and its stored form), `recent_turns`
(crisis and repeat memory, never stored), `memory` (what is kept of recent users in memory), `language_choice`
(reading a chosen language), `dispatch` (the Engine: sessions, redelivery, which job an event is), and the jobs:
`commands`, `presses`, `text` (typed messages), `forms` (the tools' side), `steps` (walkthrough and /plan), `extras`
(what goes under an answer), `decision`.
Many callers import from `bot.engine`, so the public names stay here.
"""

from bot.engine.commands import START_GUIDE
from bot.engine.dispatch import Engine
from bot.engine.events import Incoming, Kind, Response
from bot.engine.knowledge import Knowledge
from bot.engine.memory import RECENT_USERS
from bot.engine.recent_turns import CRISIS_MEMORY, REPEAT_WINDOW
from bot.engine.saved_state import FORM_KEY, PLAN_KEY, PROGRESS_KEY
from bot.engine.text import LONG_MESSAGE

__all__ = [
    "CRISIS_MEMORY",
    "FORM_KEY",
    "LONG_MESSAGE",
    "PLAN_KEY",
    "PROGRESS_KEY",
    "RECENT_USERS",
    "REPEAT_WINDOW",
    "START_GUIDE",
    "Engine",
    "Incoming",
    "Kind",
    "Knowledge",
    "Response",
]
