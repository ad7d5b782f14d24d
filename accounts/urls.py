from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/api-tokens/", views.api_token_create, name="api-token-create"),
    path("profile/api-tokens/revoke/", views.api_token_revoke, name="api-token-revoke"),
]
