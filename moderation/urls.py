from django.urls import path

from moderation import views

app_name = "moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("decide/", views.decide, name="decide"),
    path("log/", views.log, name="log"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/<int:pk>/", views.campaign, name="campaign"),
    path("campaigns/<int:pk>/confirm/", views.campaign_confirm, name="campaign_confirm"),
    path("campaigns/<int:pk>/split/", views.campaign_split, name="campaign_split"),
    path("campaigns/<int:pk>/release/", views.campaign_release, name="campaign_release"),
]
