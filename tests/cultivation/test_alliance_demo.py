"""The demo's alliances: built through the services, about the method's numbers."""

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import Min
from django.utils import timezone

from cultivation.demo_alliances import PARTNERS, build_alliance_demo
from cultivation.models import Alliance, Contact, ContactEvent, Exchange, Referral
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_demo_builds_partners_lunches_and_names(owner, teammate):
    for n in range(30):
        factories.ContactFactory(owner=owner if n % 2 else teammate, name=f"Person {n}")
    now = timezone.now()
    Contact.objects.update(created_at=now - timedelta(days=400))  # known for over a year

    build_alliance_demo(rng=random.Random(7), now=now)

    assert Alliance.objects.live().count() == PARTNERS
    assert Exchange.objects.exists()
    today = timezone.localdate(now)
    assert all(a.next_lunch_on > today for a in Alliance.objects.all())
    # Spread across the coming quarter, as the firm spreads them: about 18 lunches over 13
    # weeks, never more than three in one week, and some in its last month.
    weeks = Counter(
        a.next_lunch_on - timedelta(days=a.next_lunch_on.weekday()) for a in Alliance.objects.all()
    )
    assert max(weeks.values()) <= 3
    assert max(weeks) >= today + timedelta(days=60)
    names = Referral.objects.filter(exchange__isnull=False)
    assert names.received().exists()
    old = names.filter(on__lt=today - timedelta(days=30))
    assert old.exists() and not old.awaiting_outcome().exists()


def test_the_demo_with_nobody_builds_nothing(db):
    build_alliance_demo(rng=random.Random(7), now=timezone.now())

    assert not Alliance.objects.exists()


def test_each_demo_partner_became_one_before_their_first_lunch(owner, teammate):
    for n in range(30):
        factories.ContactFactory(owner=owner if n % 2 else teammate, name=f"Person {n}")
    now = timezone.now()
    Contact.objects.update(created_at=now - timedelta(days=400))

    build_alliance_demo(rng=random.Random(7), now=now)

    alliances = list(Alliance.objects.select_related("contact"))
    firsts = {
        row["partner"]: row["first"]
        for row in Exchange.objects.values("partner").annotate(first=Min("on"))
    }
    lunched = [a for a in alliances if a.contact_id in firsts]
    waiting = [a for a in alliances if a.contact_id not in firsts]
    assert lunched and waiting
    for alliance in lunched:
        assert timezone.localdate(alliance.since) < firsts[alliance.contact_id]
    # No lunch yet: a recent partner, within the last two months.
    assert all(now - timedelta(days=61) <= a.since <= now for a in waiting)
    # "Live alliances" grows over the year rather than standing still.
    assert len({timezone.localdate(a.since) for a in alliances}) > len(alliances) // 2
    for alliance in alliances:
        started = alliance.contact.events.get(action=ContactEvent.Action.ALLIANCE_STARTED)
        assert started.at == alliance.since
