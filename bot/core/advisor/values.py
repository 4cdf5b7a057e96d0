"""What the advisor remembers and returns: the conversation between messages, one message's outcome, the regions
crisis help is listed for, and the named sets of the safety screen's verdicts the other parts decide by."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from bot.core.i18n import Lang
from bot.core.matcher import MatchResult, Status
from bot.core.replies import Reply
from bot.core.safety import Concern

#: How many related topics are offered under an answer.
MAX_RELATED = 3
#: What the screen may say of a message that is still answered as asked (a crisis or a scam changes the reply).
ANSWERED_FREELY: Final = frozenset({None, Concern.DISTRESS, Concern.ANGER, Concern.CRISIS_SOFT})
#: What the screen may say of a message whose feeling is acknowledged in a line before its answer or the guide.
VENTING: Final = frozenset({Concern.DISTRESS, Concern.ANGER})
#: The entry shown as the scam card.
SCAM_ENTRY = "safety.scams"
#: The entry on what to do first when overdue: offered, with the walkthrough, to a user who states their situation.
OVERVIEW_ENTRY = "overview"
#: Entries that are safety advice themselves (the card, what to do after paying a scammer): answering with one of
#: them needs no card in front.
SAFETY_PREFIX = "safety."


class Region(StrEnum):
    """Where crisis help is listed for; the values name the texts `crisis_<region>` in texts.yaml."""

    MAINLAND = "mainland"
    TAIWAN = "taiwan"
    HONG_KONG = "hongkong"
    ELSEWHERE = "elsewhere"  # outside all three ("I'm in the US", "我在国外"): only ever said, never guessed


_REGION_OF_LANG: Final = {Lang.ZH_HANT: Region.TAIWAN, Lang.ZH_HK: Region.HONG_KONG}
_REGION_OF_SUBTAG: Final = {"cn": Region.MAINLAND, "tw": Region.TAIWAN, "hk": Region.HONG_KONG, "mo": Region.HONG_KONG}


def region_of(lang: Lang, client_lang: str | None = None) -> Region:
    """Where the user most likely is: Taiwan wording → Taiwan, Hong Kong wording → Hong Kong, Simplified → mainland;
    English says nothing, so the client's language code decides ("en-HK"), else the mainland."""
    if lang is not Lang.EN:
        return _REGION_OF_LANG.get(lang, Region.MAINLAND)
    subtags = (client_lang or "").lower().replace("_", "-").split("-")[1:]
    return next((_REGION_OF_SUBTAG[tag] for tag in subtags if tag in _REGION_OF_SUBTAG), Region.MAINLAND)


@dataclass(frozen=True)
class Conversation:
    """Everything the advisor remembers about one user between messages."""

    lang: Lang = Lang.ZH_HANS
    client_lang: str | None = None  # the interface language the transport reports ("en-HK"): where help is listed
    #: The crisis reply was given a few messages ago: a second disclosure gets a shorter "I'm still here", and a
    #: message that is not a question ("I'm fine, just venting") a gentle check-in rather than a menu.
    after_crisis: bool = False
    #: Where the message itself says the user is ("我喺香港", "I'm in Taiwan", "I live abroad"), else where its own
    #: Cantonese points to ("我真係好攰": Hong Kong): it beats the guess from the conversation's wording.
    region: Region | None = None
    #: The message before this one got the soft tier's care in place of an answer ("我受够了这日子"): the next message
    #: the guide answers with no clear topic ("算了 不说了") gets the gentle check-in, not a menu or "I can't answer".
    after_care: bool = False
    #: The scam card was shown a message or two ago: "那我打哪个电话", "is 95188 real?" asks which number to trust.
    after_scam: bool = False

    def where(self) -> Region:
        """Where help is listed for: where the user said they are, else the guess from wording and client."""
        return self.region or region_of(self.lang, self.client_lang)


@dataclass(frozen=True)
class Outcome:
    replies: list[Reply]
    conversation: Conversation
    match: MatchResult | None = None  # set when free text was matched (for admins' unmatched-question log)
    #: CRISIS when the crisis reply was given, SCAM when the scam card was shown, CRISIS_SOFT when the answer came with
    #: the caring line
    safety: Concern | None = None
    #: After the crisis reply, the message asked nothing and got the gentle check-in: the care of the messages after a
    #: crisis reply has said what it had to ("我没事", "谢谢", "好" end it; the check-in is never repeated).
    checked_in: bool = False
    #: The message got the soft tier's care in place of an answer (`soft_first`): the next message that finds no clear
    #: answer gets the check-in (`Conversation.after_care`).
    cared: bool = False
    #: After the crisis reply, the message played the feeling down ("没事", "算了 就是累") and got a gentle check-in:
    #: the crisis follow-ups go on (it is no sign the user is better).
    minimised: bool = False

    @property
    def unanswered(self) -> bool:
        """A question nobody could answer, for the admins' report; never one the safety screen answered."""
        return (
            self.safety is None
            and self.match is not None
            and self.match.status is Status.FALLBACK
            and self.match.route is None
        )
