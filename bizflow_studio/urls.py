from django.contrib import admin
from django.urls import include, path

from journeys import views_auth

urlpatterns = [
    path("accounts/login/", views_auth.login, name="login"),
    path("admin/login/", views_auth.admin_login),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("journeys.urls")),
]
