"""Login with a limit on failed attempts per client address and username (site and admin alike)."""

from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.http import HttpResponse


def _key(request) -> str:
    username = request.POST.get("username", "").strip().lower()
    return f"login-failures:{request.META.get('REMOTE_ADDR', '?')}:{username}"


def login_rate_limited(view):
    """Refuse (429) a login POST after LOGIN_MAX_FAILURES failures within LOGIN_LOCKOUT_SECONDS."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        key = _key(request)
        if cache.get(key, 0) >= settings.LOGIN_MAX_FAILURES:
            minutes = max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)
            return HttpResponse(
                f"Too many failed login attempts. Try again in {minutes} minutes.",
                status=429,
                content_type="text/plain",
            )
        response = view(request, *args, **kwargs)
        if request.user.is_authenticated:
            cache.delete(key)
        else:
            cache.add(key, 0, settings.LOGIN_LOCKOUT_SECONDS)
            cache.incr(key)
        return response

    return wrapper


login = login_rate_limited(auth_views.LoginView.as_view())
admin_login = login_rate_limited(admin.site.login)
