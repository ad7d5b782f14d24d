"""The site's URLs plus the benchmark's yardstick; used only by tests.bench.settings."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.utils.functional import empty

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401


def hello(request: HttpRequest) -> HttpResponse:
    """A fixed string through the whole middleware stack: this machine's ceiling."""
    return HttpResponse(b"Hello", content_type="text/plain")


class VoterHeaderMiddleware:
    """Adds ``X-Bench-User: <pk>`` to answers to a vote (PUT), naming the person
    the server took it from. Only reads a user the request already loaded."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        loaded = user is not None and getattr(user, "_wrapped", None) is not empty
        if request.method == "PUT" and loaded and user.is_authenticated:
            response["X-Bench-User"] = str(user.pk)
        return response


urlpatterns = [
    path("bench/hello", hello, name="bench-hello"),
    path("", include("config.urls")),
]
