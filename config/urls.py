from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config import views
from moderation import views as moderation_views
from notifications import views as notification_views

# The admin signs in through allauth, so /admin/login/ gets the same rate
# limits and second factor as every other sign-in.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Aporta"

# Swagger UI loads its scripts from our static files (the "split" view serves its
# start-up script as a file, not inline); it sets style attributes as it renders,
# so this one page allows inline styles. Scripts stay 'self' only.
_api_docs = csp_override(
    {
        "default-src": [CSP.SELF],
        "script-src": [CSP.SELF],
        "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
        "img-src": [CSP.SELF, "data:"],
        "connect-src": [CSP.SELF],
        "frame-ancestors": [CSP.NONE],
        "base-uri": [CSP.NONE],
        "object-src": [CSP.NONE],
    }
)(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))

# The API first: Django tries the patterns in order, and votes are the busiest URL.
urlpatterns = [
    path("api/v1/", include("config.api_urls")),
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
    path("terms/", views.terms, name="terms"),
    path("moderation-policy/", views.moderation_policy, name="moderation_policy"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("i18n/setlang/", set_language, name="set_language"),
    path("bills/", include("bills.urls")),
    path(
        "consultations/<int:pk>/moderation/",
        moderation_views.transparency,
        name="moderation_transparency",
    ),
    path("consultations/", include("consultations.urls")),
    path("staff/bills/", include("bills.staff_urls")),
    path("staff/consultations/", include("consultations.staff_urls")),
    path("staff/moderation/", include("moderation.urls")),
    path("staff/outbox/", notification_views.outbox_status, name="outbox_status"),
    path("notifications/", include("notifications.urls")),
    path(
        "accounts/contributions/",
        moderation_views.my_contributions,
        name="my_contributions",
    ),
    path(
        "accounts/contributions/<str:kind>/<int:pk>/appeal/",
        moderation_views.appeal,
        name="appeal",
    ),
    path(
        "accounts/notifications/",
        notification_views.preferences,
        name="notifications_preferences",
    ),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", _api_docs, name="api-docs"),
    path("admin/", admin.site.urls),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
