"""Shared fixtures: the card's owner, a teammate, a manager, and clients signed in as each."""

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


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create many users; a fast hasher keeps the suite quick (never in production)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
