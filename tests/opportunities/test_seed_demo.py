import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from cultivation.models import Contact, Organisation
from opportunities.models import Opportunity, Stage, StageChange
from opportunities.services import opportunity_move


@pytest.fixture(autouse=True)
def on_a_laptop(settings):
    """The demo firm is for development; pytest runs with DEBUG off."""
    settings.DEBUG = True


@pytest.mark.django_db
def test_seed_demo_with_debug_off_is_refused_and_creates_nobody(settings):
    settings.DEBUG = False

    for _ in range(2):
        with pytest.raises(CommandError, match="DEBUG is off: this looks like production"):
            call_command("seed_demo")

    assert not get_user_model().objects.exists()
    assert not Opportunity.objects.exists()


@pytest.mark.django_db
def test_seed_demo_builds_a_firm_across_every_stage_and_is_safe_to_run_twice(capsys):
    call_command("seed_demo")
    counts = (Opportunity.objects.count(), Contact.objects.count(), Organisation.objects.count())
    call_command("seed_demo")

    assert (Opportunity.objects.count(), Contact.objects.count()) == counts[:2]
    # 60 cards and 120 people on the board today, and a year of history besides (names
    # offered at exchange lunches bring a few organisations of their own).
    assert counts[0] > 60 and counts[1] > 120 and counts[2] >= 40
    assert set(Opportunity.objects.values_list("stage", flat=True)) == set(Stage.values)
    won = StageChange.objects.filter(to_stage=Stage.WON)
    assert won.count() == Opportunity.objects.filter(stage=Stage.WON).count() > 7
    output = capsys.readouterr().out
    assert "already present" in output and "alice" in output and "convivio-demo" in output


@pytest.mark.django_db
def test_seed_demo_scale_adds_n_cards_and_3n_contacts():
    call_command("seed_demo", "--scale", "30")
    call_command("seed_demo", "--scale", "30")

    assert Opportunity.objects.count() == 60
    assert Contact.objects.count() == 180
    positions = Opportunity.objects.values_list("stage", "position")
    assert len(set(positions)) == 60


@pytest.mark.django_db
def test_seed_demo_scale_adds_to_a_board_that_has_been_used():
    call_command("seed_demo", "--scale", "100")
    for card in Opportunity.objects.filter(stage=Stage.RESEARCH).select_related("owner"):
        # Each lands at the top of Connecting, below every position seeded so far.
        opportunity_move(
            opportunity=card, to_stage=Stage.CONNECTING, by=card.owner, version=card.version
        )

    call_command("seed_demo", "--scale", "100")

    assert Opportunity.objects.count() == 200
