"""Job bookkeeping and gatherings are read-only in the admin: written by the jobs and by
`gathering_log`, never added, changed or deleted by hand. Managers still see them."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cultivation import jobs
from cultivation.models import Gathering, JobRun, WeeklyDigest
from tests import factories

pytestmark = pytest.mark.django_db


def _url(model, view, *args):
    return reverse(f"admin:cultivation_{model._meta.model_name}_{view}", args=args)


def _one_of(model, owner):
    makers = {
        WeeklyDigest: lambda: WeeklyDigest.objects.create(
            user=owner, week_start=date(2026, 11, 23)
        ),
        JobRun: lambda: JobRun.objects.create(name=jobs.DUE_SCAN, last_success_at=timezone.now()),
        Gathering: lambda: Gathering.objects.create(by=owner, note="Lunch at the Ivy"),
    }
    return makers[model]()


READ_ONLY = [WeeklyDigest, JobRun, Gathering]


@pytest.mark.parametrize("model", READ_ONLY, ids=lambda m: m._meta.label)
def test_managers_see_the_rows_but_cannot_add_change_or_delete(model, manager_client, owner):
    row = _one_of(model, owner)
    before = model.objects.values().get(pk=row.pk)

    changelist = manager_client.get(_url(model, "changelist")).content.decode()
    page = manager_client.get(_url(model, "change", row.pk)).content.decode()

    assert _url(model, "change", row.pk) in changelist
    assert 'value="delete_selected"' not in changelist
    assert _url(model, "add") not in changelist
    assert 'name="_save"' not in page
    assert manager_client.get(_url(model, "add")).status_code == 403
    assert manager_client.post(_url(model, "change", row.pk), {}).status_code == 403
    assert manager_client.post(_url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
    assert model.objects.values().get(pk=row.pk) == before


@pytest.mark.parametrize("model", READ_ONLY, ids=lambda m: m._meta.label)
def test_staff_outside_managers_do_not_see_them(model, owner):
    clerk = factories.UserFactory(username="clerk", is_staff=True)
    client = Client()
    client.force_login(clerk)

    assert client.get(_url(model, "changelist")).status_code == 403
