"""Version 1 of the public API. Each app adds its operations here."""

from django.urls import path

from accounts.api import MeApi, RegionListApi
from bills.api import BillDetailApi, BillListApi, BillVersionApi, BillVersionDiffApi
from consultations.api import (
    CommentDetailApi,
    CommentListApi,
    ConsultationAggregatesApi,
    ConsultationDetailApi,
    ConsultationListApi,
    FlagApi,
    FollowApi,
    ProposalDetailApi,
    ProposalListApi,
    SupportApi,
    VoteApi,
)

app_name = "api"

urlpatterns = [
    path("regions/", RegionListApi.as_view(), name="regions"),
    path("me/", MeApi.as_view(), name="me"),
    path("consultations/", ConsultationListApi.as_view(), name="consultations"),
    path("consultations/<int:pk>/", ConsultationDetailApi.as_view(), name="consultation"),
    path(
        "consultations/<int:pk>/aggregates/",
        ConsultationAggregatesApi.as_view(),
        name="consultation-aggregates",
    ),
    path("consultations/<int:pk>/vote/", VoteApi.as_view(), name="vote"),
    path("consultations/<int:pk>/comments/", CommentListApi.as_view(), name="comments"),
    path("consultations/<int:pk>/proposals/", ProposalListApi.as_view(), name="proposals"),
    path("comments/<int:item_pk>/", CommentDetailApi.as_view(), name="comment"),
    path("proposals/<int:item_pk>/", ProposalDetailApi.as_view(), name="proposal"),
    path(
        "comments/<int:item_pk>/support/",
        SupportApi.as_view(),
        {"kind": "comments"},
        name="comment-support",
    ),
    path(
        "proposals/<int:item_pk>/support/",
        SupportApi.as_view(),
        {"kind": "proposals"},
        name="proposal-support",
    ),
    path(
        "comments/<int:item_pk>/flag/",
        FlagApi.as_view(),
        {"kind": "comments"},
        name="comment-flag",
    ),
    path(
        "proposals/<int:item_pk>/flag/",
        FlagApi.as_view(),
        {"kind": "proposals"},
        name="proposal-flag",
    ),
    path("bills/", BillListApi.as_view(), name="bills"),
    path("bills/<slug:slug>/", BillDetailApi.as_view(), name="bill"),
    path("bills/<slug:slug>/follow/", FollowApi.as_view(), name="follow"),
    path("bills/<slug:slug>/versions/<int:number>/", BillVersionApi.as_view(), name="version"),
    path(
        "bills/<slug:slug>/versions/<int:old>/diff/<int:new>/",
        BillVersionDiffApi.as_view(),
        name="version-diff",
    ),
]
