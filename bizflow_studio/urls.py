from django.contrib import admin
from django.urls import include, path

from journeys.views import auth as auth_views

urlpatterns = [
    path("accounts/login/", auth_views.login, name="login"),
    path("admin/login/", auth_views.admin_login),
    path("admin/", admin.site.urls),
    # Password reset only where e-mail is set up (BIZFLOW_EMAIL_ENABLED); these come before Django's own.
    path("accounts/password_reset/", auth_views.password_reset, name="password_reset"),
    path("accounts/password_reset/done/", auth_views.password_reset_done, name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", auth_views.password_reset_confirm, name="password_reset_confirm"),
    path("accounts/reset/done/", auth_views.password_reset_complete, name="password_reset_complete"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("journeys.urls")),
]
