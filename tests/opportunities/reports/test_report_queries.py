"""Each report page runs the same number of queries whatever the data size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories

from .helpers import at, call, referral


def _data(size):
    users = [factories.UserFactory() for _ in range(size)]
    for user in users:
        for day in range(1, size + 1):
            call(user, f"2026-04-{day:02d} 10:00", "no_need")
            referral("given", user, at(f"2026-04-{day:02d} 10:00").date())
        contact = factories.ContactFactory(owner=user)
        plan = factories.TouchPlanFactory(contact=contact, started_at=at("2026-01-01 10:00"))
        factories.PlanItemFactory(plan=plan, next_due_on=at("2026-01-05 10:00").date())
        follow_up = factories.FollowUpFactory(contact=contact, met_at=at("2026-04-01 10:00"))
        factories.TouchFactory(contact=contact, follow_up=follow_up, at=at("2026-04-02 10:00"))
        factories.PromiseFactory(contact=contact, due_on=at("2026-04-02 10:00").date())


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("slug", ["funnel", "discipline"])
@pytest.mark.parametrize("role", ["owner", "manager"])
def test_queries_do_not_grow_with_the_data(as_role, slug, role):
    client = as_role(role)
    url = f"/reports/{slug}/?from=2025-05&to=2026-04"
    _data(1)
    small = _count(client, url)
    _data(4)
    assert _count(client, url) == small
    assert _count(client, url.replace("from=2025-05", "from=2023-05")) == small
