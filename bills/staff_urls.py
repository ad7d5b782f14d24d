from django.urls import path

from bills import staff_views

app_name = "bills_staff"

urlpatterns = [
    path("", staff_views.staff_bill_list, name="list"),
    path("import/", staff_views.staff_bill_import, name="import"),
    path("versions/<int:pk>/", staff_views.staff_version_preview, name="preview"),
    path("versions/<int:pk>/discard/", staff_views.staff_version_discard, name="discard"),
    path("<slug:slug>/", staff_views.staff_bill_detail, name="detail"),
]
