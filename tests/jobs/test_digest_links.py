"""The weekly email's links open their pages, at the address `make run` serves."""

import os
import re
import shlex
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from honcho.environ import expand_processes, parse_procfile

from cultivation import jobs
from tests import factories

from .conftest import MONDAY

ROOT = Path(__file__).resolve().parents[2]
SITE = "http://127.0.0.1:8765"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs)["href"])


def _html_links(html):
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


def _text_links(text):
    return re.findall(r"https?://\S+", text)


@pytest.fixture
def email_with_every_kind(settings, owner, due_things):
    """Alice's email: a follow-up, a call, a promise and a decision, plus an overdue
    promise and an overdue handwritten note with another person."""
    settings.SITE_URL = SITE
    due_things(owner)
    late = factories.ContactFactory(owner=owner, name="Lena Late")
    factories.PromiseFactory(
        contact=late, due_on=timezone.localdate(MONDAY) - timedelta(days=3), what="Send the deck"
    )
    plan = factories.TouchPlanFactory(contact=late)
    factories.PlanItemFactory(
        plan=plan, method="note", next_due_on=timezone.localdate(MONDAY) - timedelta(days=9)
    )
    jobs.weekly_digest_send(now=MONDAY)
    (message,) = mail.outbox
    (html, _), *_ = message.alternatives
    return message.body, html


@pytest.mark.django_db
def test_every_link_in_the_email_opens_its_page_for_the_person(owner_client, email_with_every_kind):
    text, html = email_with_every_kind
    links = _text_links(text) + _html_links(html)

    # Each item twice in the HTML (the person, the action), once in the text; My week and
    # the settings (when the email comes) in both.
    assert len(links) == 6 * 3 + 2 + 2
    for link in links:
        assert link.startswith(SITE + "/"), link
        parts = urlsplit(link)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        response = owner_client.get(path)
        assert response.status_code == 200, (link, response.status_code)
        if parts.fragment:
            assert f'id="{parts.fragment}"' in response.content.decode(), link


@pytest.mark.django_db
def test_each_item_links_to_logging_it_or_to_its_place_on_the_persons_page(
    owner, email_with_every_kind
):
    text, _ = email_with_every_kind
    targets = Counter(
        (urlsplit(link).path.split("/")[1], urlsplit(link).fragment) for link in _text_links(text)
    )

    assert targets == {
        ("touches", ""): 3,  # the follow-up attempt, the call, the note
        ("contacts", "promises"): 2,
        ("contacts", "follow-up"): 1,  # the decision
        ("my-week", ""): 1,
        ("settings", ""): 1,
    }


def _make_run_environment(**environ):
    """The variables `make run` gives honcho, as make itself works them out."""
    environment = {k: v for k, v in os.environ.items() if k not in ("HOST", "PORT", "SITE_URL")}
    environment.update(environ)
    dry_run = subprocess.run(
        ["make", "--dry-run", "run"], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    (line,) = [line for line in dry_run.stdout.splitlines() if "honcho" in line]
    words = shlex.split(line)
    assignments = (word.split("=", 1) for word in words[: words.index(".venv/bin/honcho")])
    return {**environment, **dict(assignments)}


def _site_url_seen_by(process, make_environment):
    """SITE_URL as the settings read it in `process` of Procfile.dev, started by honcho."""
    procfile = parse_procfile((ROOT / "Procfile.dev").read_text())
    (params,) = [
        p for p in expand_processes(procfile.processes, env=make_environment) if p.name == process
    ]
    environment = {**params.env}
    shown = subprocess.run(
        [sys.executable, "-c", "from convivio import settings; print(settings.SITE_URL)"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0, shown.stderr
    return shown.stdout.strip()


def test_make_run_on_another_port_gives_the_worker_links_to_that_port():
    environment = _make_run_environment(PORT="8765")

    assert environment["PORT"] == "8765"
    # honcho gives the worker PORT=8865 of its own; the links still follow the web's.
    assert _site_url_seen_by("worker.1", environment) == "http://127.0.0.1:8765"
    assert _site_url_seen_by("web.1", environment) == "http://127.0.0.1:8765"


def test_make_run_keeps_a_site_url_set_in_the_environment():
    environment = _make_run_environment(PORT="8765", SITE_URL="https://crm.example.com")

    assert _site_url_seen_by("worker.1", environment) == "https://crm.example.com"
