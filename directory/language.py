"""The words Signpost never says to a parent, in one place for every lint test to share.

Research with children's centres found these phrases make families feel judged; services are
"open to all parents and carers" instead. Safety messages may say "at risk".
"""

STIGMA_PHRASES: tuple[str, ...] = (
    "struggling",
    "struggle to cope",
    "vulnerable",
    "problem families",
    "problem family",
    "troubled families",
    "at risk",
    "bad parent",
    "bad mother",
    "bad father",
    "deprived",
    "failing parents",
    "only if there is a problem",
)

#: Allowed in safety messages only.
SAFETY_ONLY_PHRASES: tuple[str, ...] = ("at risk",)


def stigma_phrases_in(text: str, *, safety: bool = False) -> list[str]:
    """Return the stigma phrases found in ``text`` (case-insensitive)."""
    lowered = text.lower()
    return [p for p in STIGMA_PHRASES
            if p in lowered and not (safety and p in SAFETY_ONLY_PHRASES)]
