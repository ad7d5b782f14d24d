from django.urls import path

from consultations import views

app_name = "consultations"

urlpatterns = [
    path("<int:pk>/", views.consultation_detail, name="detail"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/open-data/", views.open_data, name="open_data"),
    path(
        "<int:pk>/open-data/aggregates.json",
        views.open_data_aggregates,
        name="open_data_aggregates",
    ),
    path(
        "<int:pk>/open-data/feedback.<str:extension>",
        views.open_data_feedback,
        name="open_data_feedback",
    ),
    path("<int:pk>/unit/<str:key>/", views.unit, name="unit"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    path("<int:pk>/comment/", views.comment, name="comment"),
    path("<int:pk>/proposal/", views.proposal, name="proposal"),
    path("<int:pk>/follow/", views.follow, name="follow"),
    path("<int:pk>/<str:kind>/<int:item_pk>/support/", views.support, name="support"),
    path("<int:pk>/<str:kind>/<int:item_pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/<str:kind>/<int:item_pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/<str:kind>/<int:item_pk>/report/", views.flag, name="flag"),
]
