"""Version 1 of the public API. Each app adds its operations here."""

from django.urls import path

from accounts.api import MeApi, RegionListApi
from bills.api import BillDetailApi, BillListApi, BillVersionApi, BillVersionDiffApi

app_name = "api"

urlpatterns = [
    path("regions/", RegionListApi.as_view(), name="regions"),
    path("me/", MeApi.as_view(), name="me"),
    path("bills/", BillListApi.as_view(), name="bills"),
    path("bills/<slug:slug>/", BillDetailApi.as_view(), name="bill"),
    path("bills/<slug:slug>/versions/<int:number>/", BillVersionApi.as_view(), name="version"),
    path(
        "bills/<slug:slug>/versions/<int:old>/diff/<int:new>/",
        BillVersionDiffApi.as_view(),
        name="version-diff",
    ),
]
