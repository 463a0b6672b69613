"""Middleware Django has no setting for: the Permissions-Policy header, and each
person's own time zone.

Permissions-Policy is one fixed header built from settings.PERMISSIONS_POLICY:
a few lines here rather than a dependency (django-csp covers the
Content-Security-Policy, Django's SecurityMiddleware the rest).
"""

from django.conf import settings
from django.utils import timezone

from cultivation.models import zone_for


def permissions_policy_header(policy):
    """{"camera": [], "fullscreen": ["self"]} -> 'camera=(), fullscreen=(self)'."""
    return ", ".join(f"{feature}=({' '.join(allowed)})" for feature, allowed in policy.items())


class PermissionsPolicyMiddleware:
    """Adds Permissions-Policy to every response that does not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy_header(settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


class TimeZoneMiddleware:
    """Shows each signed-in person dates and times on their own clock: "today", due dates,
    overdue, My week and every page follow their time zone (`zone_for`), everyone else
    the firm's. After AuthenticationMiddleware; with `convivio.backends.ModelBackend`
    the person's preferences come with the person, so this costs no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            timezone.activate(zone_for(user))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
