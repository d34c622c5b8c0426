"""The model's small invariants."""

from projects.model import KIND_WORDS, Kind, Level


def test_every_kind_has_an_english_and_a_chinese_word() -> None:
    """Both words of the spec's kind table resolve to the same kind."""
    assert KIND_WORDS["招标"] is Kind.TENDERING
    assert KIND_WORDS["tendering"] is Kind.TENDERING
    assert len(KIND_WORDS) == 2 * len(Kind)


def test_levels_order_green_yellow_red() -> None:
    """The highest level wins, so levels must order."""
    assert Level.GREEN.rank < Level.YELLOW.rank < Level.RED.rank
