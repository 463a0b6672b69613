"""Cultivation, the lower layer, names nothing of the layer above it.

Not an import, not a reverse relation, not a lookup path, not a model name,
not even in a comment: where cultivation needs something from above, the layer
above registers it in `cultivation/seams.py` (or `services/privacy.py`).
"""

import re
from pathlib import Path

import pytest

from cultivation import seams
from tests import factories

CULTIVATION = Path(__file__).resolve().parent.parent / "cultivation"
# The upper layer's app name and model names, its reverse relations on our models.
UPPER_LAYER_NAMES = re.compile(
    r"opportunit|card_links|card_link\b|stage_?changes?|connection_?ideas?|CardChange|CardPromise",
    re.IGNORECASE,
)


def _cultivation_sources():
    return sorted(path for path in CULTIVATION.rglob("*.py") if "migrations" not in path.parts)


def _mentions(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    return [
        f"{path.relative_to(CULTIVATION.parent)}:{number}: {line.strip()}"
        for number, line in enumerate(lines, start=1)
        if UPPER_LAYER_NAMES.search(line)
    ]


def test_cultivation_code_names_nothing_of_the_layer_above():
    sources = _cultivation_sources()
    assert len(sources) > 20  # the walk found the app, not an empty folder

    mentions = [mention for path in sources for mention in _mentions(path)]

    assert mentions == []


def test_the_check_catches_a_lookup_path_a_reverse_relation_and_an_import(tmp_path):
    for line in (
        'Contact.objects.filter(card_links__opportunity__stage="won")',
        'getattr(contact, "card_links", None)',
        "from opportunities.models import StageChange",
        "ConnectionIdea.objects.all()",
    ):
        source = tmp_path / "sample.py"
        source.write_text(line + "\n", encoding="utf-8")
        assert UPPER_LAYER_NAMES.search(source.read_text(encoding="utf-8")), line


def test_every_seam_cultivation_reads_is_connected_at_start_up(db):
    # The layer above registers its providers in AppConfig.ready(): asking works,
    # and answers what the cards hold.
    person = factories.ContactFactory()
    card = factories.OpportunityFactory(stage="connecting", priority="hot")
    factories.OpportunityContactFactory(opportunity=card, contact=person, is_primary=True)

    assert seams.cards_of(person) == [card]
    assert seams.people_on_cards(stage="connecting") == [(person, "hot")]
    assert seams.people_on_cards(stage="won") == []
    assert seams.promise_subject().find(card.pk) == card


@pytest.mark.parametrize(
    ("ask", "name"),
    [
        (lambda: seams.cards_of(None), "cards_of"),
        (lambda: seams.people_on_cards(stage="connecting"), "people_on_cards"),
        (lambda: seams.promise_made_about(promise=None, subject=None), "promise_subject"),
    ],
)
def test_a_seam_nobody_provides_is_a_clear_error_not_an_empty_answer(monkeypatch, ask, name):
    monkeypatch.setattr(seams, "_providers", {})

    with pytest.raises(seams.SeamNotConnected, match=f"Nothing provides '{name}' to cultivation"):
        ask()
    assert seams.promise_subject() is None
