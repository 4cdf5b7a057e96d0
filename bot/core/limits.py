"""The one limit on how much of a user's message is read, which every layer derives its own cut from.

The engine answers a longer message from its first `MAX_MESSAGE_CHARS` characters and says so (`too_long_notice`);
the matcher reads no more than that, and storage keeps no more of an unanswered question than was read. The safety
screen alone reads the whole message: a crisis at the end of a long story is still seen.
"""

from __future__ import annotations

from typing import Final

#: Characters of a typed message that are matched; past this the user is told only the first part was read.
MAX_MESSAGE_CHARS: Final = 600
