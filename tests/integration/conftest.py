"""Real parts: a Celery worker process on Redis, sharing the PostgreSQL test database,
and an SMTP server (aiosmtpd) on loopback.

Locally these tests skip when REDIS_URL is unset or unreachable, or the database
is SQLite (another process cannot see its in-memory test database); in CI
(CI=true) a missing service is a failure, never a skip.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")
SITE_URL = "http://convivio.test"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/integration/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.integration)


def require(available, message):
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"Integration tests must run in CI: {message}")
    pytest.skip(message)


@pytest.fixture(scope="session")
def redis_url():
    url = os.environ.get("REDIS_URL", "")
    require(url, "REDIS_URL is not set (the worker needs a real Redis broker)")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        require(False, f"Redis at {url} does not answer: {error}")
    return url


@pytest.fixture
def shared_database(transactional_db):
    """The test database as a URL another process can use; committed data only."""
    require(
        connection.vendor == "postgresql",
        "the worker process needs the test database on PostgreSQL (set DATABASE_URL="
        "postgres://...); it cannot see SQLite's in-memory test database",
    )
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Worker:
    def __init__(self, process, log):
        self.process, self.log = process, log

    def output(self):
        return self.log.read_text(errors="replace")

    def stop(self):
        """A warm shutdown (SIGTERM), as a supervisor stops it."""
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self):
        """`kill -9` of the worker's main process: no chance to hand anything back."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


@pytest.fixture
def queue(redis_url):
    """A queue of this test's own, so no other worker takes its tasks."""
    import redis

    name = f"convivio-test-{uuid.uuid4().hex[:12]}"
    yield name
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"*{name}*"):
        client.delete(key)


@pytest.fixture
def celery_worker(redis_url, shared_database, queue, tmp_path, request):
    """Start `count` real workers (`celery -A convivio worker --pool=solo`) on `queue`."""
    workers = []

    def start(*, email_url="consolemail://", count=1, **variables):
        env = {
            **os.environ,
            "DATABASE_URL": shared_database,
            "REDIS_URL": redis_url,
            "EMAIL_URL": email_url,
            "SITE_URL": SITE_URL,
            "CONN_MAX_AGE": "0",
            "DJANGO_SETTINGS_MODULE": "convivio.settings",
            **variables,
        }
        started = []
        for _ in range(count):
            n = len(workers)
            log = tmp_path / f"worker-{n}.log"
            command = [
                str(CELERY), "-A", "convivio", "worker", "--pool=solo", "-Q", queue,
                "-n", f"{queue}-{n}@%h", "--loglevel=INFO",
                "--without-gossip", "--without-mingle", "--without-heartbeat",
            ]  # fmt: skip
            with log.open("wb") as out:
                process = subprocess.Popen(
                    command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
                )
            started.append(Worker(process, log))
        workers.extend(started)
        for worker in started:
            wait_for(lambda w=worker: " ready." in w.output(), "the worker to start", started)
        return started

    def stop():
        running = [worker for worker in workers if worker.process.poll() is None]
        for worker in running:
            worker.process.terminate()
        for worker in running:
            try:
                worker.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()

    request.addfinalizer(stop)
    return start


def wait_for(condition, what, workers=(), timeout=60):
    """Poll until `condition()` holds; on timeout fail with the workers' logs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        for worker in workers:
            if worker.process.poll() is not None:
                pytest.fail(f"A worker exited ({worker.process.returncode}):\n{worker.output()}")
        time.sleep(0.2)
    logs = "\n\n".join(worker.output()[-4000:] for worker in workers)
    pytest.fail(f"Timed out after {timeout}s waiting for {what}.\n{logs}")


def succeeded(workers):
    return sum(worker.output().count(" succeeded in ") for worker in workers)


def received(workers):
    return sum(worker.output().count("] received") for worker in workers)


def unacked(redis_url, queue):
    """Tasks of `queue` that a worker took from Redis and has not acknowledged (kombu's
    "unacked" hash: [message, exchange, routing key] per delivery)."""
    import redis

    entries = redis.Redis.from_url(redis_url).hvals("unacked")
    return sum(json.loads(entry)[2] == queue for entry in entries)


def settled(workers, redis_url, queue):
    """Nothing of `queue` waits in Redis or in a worker's hands (tasks are acknowledged
    late, so an empty "unacked" hash means every task taken has ended), twice in a row
    so a task between the queue and the hash is not missed. Read from Redis, not from the
    workers' logs, whose lines two processes can interleave."""
    import redis

    def idle():
        return not (redis.Redis.from_url(redis_url).llen(queue) or unacked(redis_url, queue))

    if not idle():
        return False
    time.sleep(0.5)
    return idle()


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback; `.messages` holds each message as received."""
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            message = message_from_bytes(envelope.original_content, policy=policy.default)
            self.messages.append((envelope.rcpt_tos, message))
            return "250 Message accepted for delivery"

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.url = f"smtp://{controller.hostname}:{controller.port}"
    yield inbox
    controller.stop()
