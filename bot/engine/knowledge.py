"""One consistent generation of everything loaded from knowledge/, which the engine swaps whole on reload."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.config import MatcherConfig
from bot.core.advisor import Advisor
from bot.core.knowledge import KnowledgeBase, load_knowledge
from bot.core.matcher import Matcher
from bot.core.plantexts import PlanTexts, load_plan_texts
from bot.core.walkthrough import Walkthrough, load_walkthrough


@dataclass(frozen=True)
class Knowledge:
    """One consistent generation of everything loaded from knowledge/: swapped whole on reload."""

    kb: KnowledgeBase
    matcher: Matcher
    advisor: Advisor
    walkthrough: Walkthrough
    #: The /plan calculator's texts; None where a test builds knowledge without them (then /plan is unknown).
    plan: PlanTexts | None = None

    @classmethod
    def load(cls, directory: Path, config: MatcherConfig | None = None) -> Knowledge:
        kb = load_knowledge(directory)
        matcher = Matcher(kb, config)
        walkthrough = load_walkthrough(directory / "walkthrough.yaml", kb.traditional)
        plan = load_plan_texts(directory / "plan.yaml", kb.traditional)
        return cls(kb, matcher, Advisor(kb, matcher), walkthrough, plan)
