"""Response headers Django has no setting for.

Permissions-Policy is one fixed header built from settings.PERMISSIONS_POLICY:
a few lines here rather than a dependency (django-csp covers the
Content-Security-Policy, Django's SecurityMiddleware the rest).
"""

from django.conf import settings


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
