"""A 405 that says why: Django's `require_POST` answers with an empty body."""

from django.shortcuts import render


class MethodNotAllowedMiddleware:
    """Fills an empty 405 (a link opened, or a form sent the wrong way) with a sentence.

    The status and the Allow header stay as the view set them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.content:
            return response
        allowed = response.headers.get("Allow", "")
        if request.headers.get("HX-Request") == "true" or request.method == "HEAD":
            response.content = _sentence(request.method, allowed).encode()
            response.headers["Content-Type"] = "text/plain; charset=utf-8"
            return response
        page = render(
            request,
            "405.html",
            {"sentence": _sentence(request.method, allowed)},
            status=405,
        )
        page.headers["Allow"] = allowed
        return page


def _sentence(method, allowed):
    if method == "GET" and allowed == "POST":
        return (
            "This address changes something, so it only answers the button on its page: "
            "opening it as a link does nothing. Go back and use the button."
        )
    return f"This address does not answer {method[:10]}: it answers {allowed or 'nothing'}."
