"""Celery's numbers fit together: a task stops well before Redis hands it to another worker,
and start-up fails loudly, with a sentence, when they do not."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from convivio.beat import check_task_time_limits

NUMBERS = (
    "CELERY_VISIBILITY_TIMEOUT",
    "CELERY_TASK_TIME_LIMIT",
    "CELERY_TASK_SOFT_TIME_LIMIT",
    "EMAIL_TIMEOUT",
)
ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.CELERY_BROKER_TRANSPORT_OPTIONS, s.CELERY_TASK_TIME_LIMIT, "
    "s.CELERY_TASK_SOFT_TIME_LIMIT, s.EMAIL_TIMEOUT, "
    "s.CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS]))"
)


def _start(**variables):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "convivio.settings", **variables}
    for name in NUMBERS:
        if name not in variables:
            env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-c", SHOW], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_the_defaults_stop_every_task_well_inside_the_visibility_timeout():
    started = _start(REDIS_URL="redis://127.0.0.1:6379/15")

    assert started.returncode == 0, started.stderr
    transport, time_limit, soft_time_limit, email_timeout, cancel = json.loads(started.stdout)
    assert transport["visibility_timeout"] == 600
    assert transport["unacked_restore_interval"] == 10
    assert transport["unacked_restore_throttle"] == 1
    assert (soft_time_limit, time_limit) == (180, 240)
    assert 2 * time_limit <= transport["visibility_timeout"]
    assert email_timeout == 30
    assert cancel is True


def test_start_up_fails_loudly_when_a_task_could_outlive_the_visibility_timeout():
    started = _start(CELERY_VISIBILITY_TIMEOUT="300", CELERY_TASK_TIME_LIMIT="200")

    assert started.returncode != 0
    assert "ImproperlyConfigured" in started.stderr
    assert "CELERY_TASK_TIME_LIMIT (200 s) must be at most half of" in started.stderr


@pytest.mark.parametrize(
    ("numbers", "sentence"),
    [
        ({"time_limit": 301}, r"must be at most half of CELERY_VISIBILITY_TIMEOUT \(600 s\)"),
        ({"soft_time_limit": 240}, "SOFT_TIME_LIMIT must be shorter than CELERY_TASK_TIME_LIMIT"),
        ({"visibility_timeout": 0}, "must be positive numbers of seconds"),
    ],
)
def test_unsafe_numbers_are_refused_with_a_sentence(numbers, sentence):
    given = {"visibility_timeout": 600, "time_limit": 240, "soft_time_limit": 180, **numbers}

    with pytest.raises(ImproperlyConfigured, match=sentence):
        check_task_time_limits(**given)


def test_the_boundary_half_the_visibility_timeout_is_allowed():
    check_task_time_limits(visibility_timeout=600, time_limit=300, soft_time_limit=299)
