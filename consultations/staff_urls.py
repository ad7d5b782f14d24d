from django.urls import path

from consultations import staff_views

app_name = "consultations_staff"

urlpatterns = [
    path("", staff_views.staff_consultation_list, name="list"),
    path("new/", staff_views.staff_consultation_create, name="create"),
    path("<int:pk>/", staff_views.staff_consultation_detail, name="detail"),
    path("<int:pk>/extend/", staff_views.staff_consultation_extend, name="extend"),
    path("<int:pk>/close/", staff_views.staff_consultation_close, name="close"),
    path("<int:pk>/schedule/", staff_views.staff_consultation_schedule, name="schedule"),
    path("<int:pk>/unschedule/", staff_views.staff_consultation_unschedule, name="unschedule"),
    path("<int:pk>/responses/", staff_views.staff_consultation_responses, name="responses"),
    path("<int:pk>/reports/", staff_views.staff_consultation_reports, name="reports"),
    path("<int:pk>/results/", staff_views.staff_results_publish, name="results"),
    path(
        "<int:pk>/reports/<int:report>/download/",
        staff_views.staff_report_download,
        name="report_download",
    ),
]
