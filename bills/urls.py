from django.urls import path

from bills import views

app_name = "bills"

urlpatterns = [
    path("", views.bill_list, name="list"),
    path("<slug:slug>/", views.bill_detail, name="detail"),
    path("<slug:slug>/compare/<int:old>/<int:new>/", views.bill_diff, name="diff"),
    path("<slug:slug>/v<int:number>/akn.xml", views.bill_version_akn, name="akn"),
]
