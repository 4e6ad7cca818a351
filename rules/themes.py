"""The Coordination Committee's eight themes, and which obligation kinds each one follows.

Reminders and feeds filter by theme through ``KIND_THEMES``; an ``action_item`` belongs to
the theme that owns it (recorded on the item), not to a fixed theme.
"""

from __future__ import annotations

from collections.abc import Collection

THEMES = (
    "transparency",
    "stockpile_destruction",
    "clearance",
    "victim_assistance",
    "universalization",
    "cooperation",
    "national_implementation",
    "general_status",
)

KIND_THEMES: dict[str, tuple[str, ...]] = {
    "art7_initial": ("transparency",),
    "art7_annual": ("transparency",),
    "art3_stockpile": ("stockpile_destruction",),
    "art3_extension_request": ("stockpile_destruction",),
    "art4_clearance": ("clearance",),
    "art4_extension_request": ("clearance",),
    # APMBC (rules.treaties): Art. 4 stockpiles (no extension), Art. 5 clearance
    "art4_stockpile": ("stockpile_destruction",),
    "art5_clearance": ("clearance",),
    "art5_extension_request": ("clearance",),
    "meeting_funds": ("general_status",),
    "invoice_followup": ("general_status",),
}


# Every obligation kind a recipient or a feed may follow (an action item has no fixed theme).
KINDS = (*KIND_THEMES, "action_item")


def every_theme() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Every convention's themes, each with the codes of the conventions it belongs to
    (``rules.treaties.Treaty.themes``): the CCM's eight in ``THEMES`` order, then those of
    another convention only (the APMBC's ``cooperative_compliance``)."""
    from rules.treaties import TREATIES

    order = list(THEMES)
    for treaty in TREATIES.values():
        order += [t for t in treaty.themes if t not in order]
    return tuple((theme, tuple(t.code for t in TREATIES.values() if theme in t.themes)) for theme in order)


def themes_of(kind: str, owner_theme: str | None = None) -> tuple[str, ...]:
    """The themes an obligation of ``kind`` belongs to (an action item: its owner's)."""
    if owner_theme:
        return (owner_theme,)
    return KIND_THEMES.get(kind, ())


def follows(
    *,
    themes: Collection[str],
    states: Collection[str],
    kinds: Collection[str],
    kind: str,
    state: str | None,
    obligation_themes: Collection[str],
) -> bool:
    """Whether a follower's filters take an obligation: AND across the three filters, OR
    inside one; an empty filter takes everything. Recipients and feed subscriptions share it.
    ``obligation_themes`` is ``themes_of(kind, owner_theme)``, computed once by the caller."""
    if kinds and kind not in kinds:
        return False
    if states and (state or "") not in states:
        return False
    return not themes or any(t in themes for t in obligation_themes)
