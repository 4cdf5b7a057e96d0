"""What a test's simulated user last saw from the core: the replies, read as text, buttons and their actions."""

from __future__ import annotations

from bot.core.replies import Choice, Reply


class Seen:
    """Mixed into the simulated users of the core tests; `replies` holds the bot's last answer."""

    replies: list[Reply]

    @property
    def text(self) -> str:
        return "\n".join(reply.text for reply in self.replies)

    @property
    def choices(self) -> list[Choice]:
        return [choice for reply in self.replies for choice in reply.choices]

    @property
    def labels(self) -> list[str]:
        return [choice.label for choice in self.choices]

    @property
    def actions(self) -> list[str]:
        return [choice.action for choice in self.choices]
