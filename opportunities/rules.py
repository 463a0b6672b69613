"""The stage rules of docs/method.md as data, and the sentences that explain a refusal.

Pure functions, no database: the move service, the board (to grey out moves
that would be refused) and the admin all read the same table.
"""

from .models import Source, Stage

# to_stage allowed from each stage. Forward one step; Won from Connecting or
# Cultivating; Lost from any open stage; back to Research from Connecting,
# Cultivating or Lost ("do more work on it in future").
ALLOWED_MOVES = {
    Stage.RESEARCH: {Stage.CONNECTING, Stage.LOST},
    Stage.CONNECTING: {Stage.CULTIVATING, Stage.WON, Stage.LOST, Stage.RESEARCH},
    Stage.CULTIVATING: {Stage.WON, Stage.LOST, Stage.RESEARCH},
    Stage.WON: set(),
    Stage.LOST: {Stage.RESEARCH},
}


def allowed_moves(from_stage):
    """The stages a card in `from_stage` may move to: forward in board order first (so a
    "Move to…" picker offers the next step, not a step back), then back to Research."""
    allowed = ALLOWED_MOVES[Stage(from_stage)]
    order = list(Stage)
    here = order.index(Stage(from_stage))
    return [stage for stage in order[here + 1 :] + order[:here] if stage in allowed]


def move_refusal(from_stage, to_stage, note=""):
    """Why moving from `from_stage` to `to_stage` is refused, or None if it is allowed."""
    if to_stage not in Stage.values:
        return f"“{to_stage}” is not a stage on the board."
    from_stage, to_stage = Stage(from_stage), Stage(to_stage)
    if from_stage == to_stage:
        return f"The card is already in {from_stage.label}."
    if to_stage not in ALLOWED_MOVES[from_stage]:
        return _refusal_sentence(from_stage, to_stage)
    if to_stage == Stage.LOST and not note.strip():
        return "Say why the card is lost: a reason is required to move it to Lost."
    return None


def _refusal_sentence(from_stage, to_stage):
    if from_stage == Stage.WON:
        return "The work was won: a Won card stays in Won."
    if to_stage == Stage.WON:
        return (
            f"A card can be won only from Connecting or Cultivating, not from {from_stage.label}."
        )
    if from_stage == Stage.LOST:
        return "A Lost card can only go back to Research, to do more work on it."
    return (
        f"Cards move forward one step at a time: {from_stage.label} cannot go "
        f"straight to {to_stage.label}."
    )


def creation_refusal(stage, source):
    """Why a new card may not start in `stage`, or None if it may."""
    if stage not in Stage.values:
        return f"“{stage}” is not a stage on the board."
    stage = Stage(stage)
    if stage == Stage.RESEARCH:
        return None
    if stage in (Stage.CONNECTING, Stage.CULTIVATING):
        if source == Source.INBOUND:
            return None
        return (
            f"Only inbound opportunities (they contacted us) may start in {stage.label}; "
            "others start in Research."
        )
    return f"A new card cannot start in {stage.label}; it starts in Research."
