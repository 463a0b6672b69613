"""Sign-in backend: Django's own, loading each request's person with their preferences."""

from django.contrib.auth import backends, get_user_model


class ModelBackend(backends.ModelBackend):
    """Django's ModelBackend, but the person comes with their preferences (one joined
    query, not two), so every page can use their time zone (TimeZoneMiddleware)."""

    def get_user(self, user_id):
        people = get_user_model()._default_manager.select_related("preferences")
        try:
            user = people.get(pk=user_id)
        except people.model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
