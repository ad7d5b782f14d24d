"""Version 1 of the public API. Each app adds its operations here."""

from django.urls import path

from accounts.api import MeApi, RegionListApi

app_name = "api"

urlpatterns = [
    path("regions/", RegionListApi.as_view(), name="regions"),
    path("me/", MeApi.as_view(), name="me"),
]
