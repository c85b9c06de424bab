from django.contrib import admin
from django.urls import include, path

from journeys.views import auth as auth_views

urlpatterns = [
    path("accounts/login/", auth_views.login, name="login"),
    path("admin/login/", auth_views.admin_login),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("journeys.urls")),
]
