"""Benchmark the board page and a card move at 100, 1,000 and 10,000 cards.

    python -m benchmarks.board [--sizes 100 1000 10000] [--repeat 20]

Uses a database of its own (`var/board_benchmark.sqlite3`, or
`<name>_board_benchmark` on PostgreSQL via DATABASE_URL), grows it with
`seed_demo --scale` to each size in turn, and reports the median server time
(Django's test client: middleware, views, queries and templates, no network)
of:

- the board: `GET /` as a staff member, everyone's cards;
- a move, as the service call `opportunity_move` (Research → Connecting);
- a move through the board's endpoint as htmx sends it (Connecting → back to
  Research), including its answer (the moved card and the two column heads).

It drops the database when done.
"""

import argparse
import os
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convivio.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from benchmarks import own_database  # noqa: E402
from opportunities.models import Opportunity, Stage  # noqa: E402
from opportunities.services import opportunity_move  # noqa: E402

HOST = {"HTTP_HOST": "127.0.0.1"}
FRAGMENT = {"HX-Request": "true", "HX-Target": "board"}


def _median_ms(samples):
    return statistics.median(samples) * 1000


def _timed(call, repeat):
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def _cards_in(stage, count):
    return list(Opportunity.objects.filter(stage=stage).order_by("?")[:count])


def measure(size, repeat, user, mover):
    """The board as `user` sees it; moves by `mover`, a manager, who may move any card."""
    client = Client(**HOST)
    client.force_login(user)
    moving = Client(**HOST)
    moving.force_login(mover)
    client.get("/")  # warm templates and caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200, response.status_code
    board = _timed(lambda: client.get("/"), repeat)

    # Research -> Connecting, then back: each move goes forward or back one legal step,
    # so a small board does not run out of cards to move.
    service = []
    for card in _cards_in(Stage.RESEARCH, repeat):
        started = time.perf_counter()
        opportunity_move(
            opportunity=card, to_stage=Stage.CONNECTING, by=mover, version=card.version
        )
        service.append(time.perf_counter() - started)

    endpoint = []
    for card in _cards_in(Stage.CONNECTING, repeat):
        url = reverse("opportunities:card-move", args=[card.pk])
        data = {"to_stage": Stage.RESEARCH, "version": card.version}
        started = time.perf_counter()
        answer = moving.post(url, data, headers=FRAGMENT)
        endpoint.append(time.perf_counter() - started)
        assert answer.status_code == 200, answer.content[:200]
    return {
        "cards": Opportunity.objects.count(),
        "board_ms": _median_ms(board),
        "board_queries": len(queries.captured_queries),
        "move_ms": _median_ms(service),
        "move_endpoint_ms": _median_ms(endpoint),
    }


def _grow(by):
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", scale=by, even_with_debug_off=True, stdout=quiet)


def run(sizes, repeat):
    _grow(sizes[0])
    user = get_user_model().objects.get(username="alice")
    mover = get_user_model().objects.get(username="maria")
    vendor = connection.vendor
    print(f"\nBoard benchmark on {vendor} (median of {repeat}, milliseconds)\n")
    print("| database | cards | board | board queries | move (service) | move (endpoint) |")
    print("|---|---:|---:|---:|---:|---:|")
    seeded = sizes[0]
    for size in sizes:
        if size > seeded:
            _grow(size - seeded)
            seeded = size
        row = measure(size, repeat, user, mover)
        print(
            f"| {vendor} | {row['cards']:,} | {row['board_ms']:.0f} | {row['board_queries']} "
            f"| {row['move_ms']:.1f} | {row['move_endpoint_ms']:.0f} |",
            flush=True,
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    with own_database("board_benchmark"):
        run(sorted(args.sizes), args.repeat)


if __name__ == "__main__":
    main()
