"""Benchmarks, each run as `python -m benchmarks.<name>`; figures in docs/ and the README."""

from contextlib import contextmanager


@contextmanager
def own_database(name):
    """A database of the benchmark's own, created fresh and dropped afterwards.

    `var/<name>.sqlite3` on SQLite, `<DATABASE_URL's name>_<name>` on PostgreSQL.
    Django must be set up; the default connection points at it inside the block.
    """
    from django.conf import settings
    from django.db import connection

    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        (settings.BASE_DIR / "var").mkdir(exist_ok=True)
        test_name = str(settings.BASE_DIR / "var" / f"{name}.sqlite3")
    else:
        test_name = f"{db['NAME']}_{name}"
    db["TEST"] = {**db.get("TEST", {}), "NAME": test_name}
    old_name = db["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
