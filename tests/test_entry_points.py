"""The modules a server imports (gunicorn: convivio.wsgi; an ASGI server: convivio.asgi)
build the site from its settings."""

from wsgiref.util import setup_testing_defaults

from django.core.handlers.asgi import ASGIHandler


def test_the_wsgi_application_serves_the_sign_in_page(db):
    from convivio.wsgi import application

    environ = {"PATH_INFO": "/accounts/login/", "HTTP_HOST": "127.0.0.1"}
    setup_testing_defaults(environ)
    answered = []

    body = b"".join(application(environ, lambda status, headers: answered.append(status)))

    assert answered == ["200 OK"]
    assert b'name="password"' in body


def test_the_asgi_application_is_djangos_handler():
    from convivio.asgi import application

    assert isinstance(application, ASGIHandler)
