"""Shared fixtures: the card's owner, a teammate, a manager, and clients signed in as each."""

import contextlib

import pytest

from tests import factories


@pytest.fixture
def owner(db):
    return factories.UserFactory(username="alice", first_name="Alice", last_name="Owner")


@pytest.fixture
def teammate(db):
    return factories.UserFactory(username="bob", first_name="Bob", last_name="Teammate")


@pytest.fixture
def manager(db):
    return factories.ManagerFactory(username="maria", first_name="Maria", last_name="Manager")


def _client_for(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(client, owner):
    return _client_for(client, owner)


@pytest.fixture
def teammate_client(client, teammate):
    return _client_for(client, teammate)


@pytest.fixture
def manager_client(client, manager):
    return _client_for(client, manager)


@pytest.fixture
def as_role(client, owner, teammate, manager):
    """A client signed in as the owner (of the card or person), a teammate, a manager, or
    (any other role) nobody."""

    def sign_in(role):
        users = {"owner": owner, "teammate": teammate, "manager": manager}
        if role in users:
            client.force_login(users[role])
        return client

    return sign_in


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create many users; a fast hasher keeps the suite quick (never in production)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_call(item):
    """A test marked `no_cover` runs without coverage's tracer. pytest-cov (7.1) pauses its
    own, but in an xdist worker another of its collectors then takes over and traces the
    test at full cost; inside pytest-cov's pause, this pauses whichever one is tracing."""
    with _untraced(item.get_closest_marker("no_cover") is not None):
        return (yield)


class _UntracedDatabaseSetup:
    """The test database is built (every migration run) without coverage's tracer, which
    would double the time: migrations are not measured, and the groups it syncs are
    synced again, traced, by the tests that flush the database. (A plugin, not a hook of
    this conftest: session fixtures are set up where this conftest's hooks do not reach.)"""

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef, request):
        with _untraced(fixturedef.argname == "django_db_setup"):
            return (yield)


def pytest_configure(config):
    config.pluginmanager.register(_UntracedDatabaseSetup(), "convivio-untraced-db-setup")


@contextlib.contextmanager
def _untraced(wanted):
    collector = _tracing_collector() if wanted else None
    if collector is not None:
        collector.pause()
    try:
        yield
    finally:
        if collector is not None:
            collector.resume()


def _tracing_collector():
    try:
        from coverage.collector import Collector
    except ImportError:  # coverage is a test tool: not there, nothing to pause
        return None
    return Collector._collectors[-1] if Collector._collectors else None
