"""A URLconf for tests only: the site plus a view that fails."""

from django.urls import include, path


def broken(request):
    raise ValueError("a bug")


urlpatterns = [
    path("broken/", broken),
    path("", include("config.urls")),
]

handler500 = "config.views.server_error"
handler404 = "config.views.page_not_found"
