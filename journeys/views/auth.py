"""Login with a limit on failed attempts per client address and username (site and admin alike).

The limit counts a username exactly as the login form hands it to authentication: stripped and
NFKC-normalised (Django's ``UsernameField``, as ``AbstractBaseUser.normalize_username``), so
``ｌockme`` in full-width letters is the same user as ``lockme`` here too. ModelBackend then matches
it exactly (case-sensitively on SQLite and PostgreSQL), and so does the counter.

The client address is ``REMOTE_ADDR``, or, behind reverse proxies, the hop named by the configured
header (``BIZFLOW_TRUSTED_PROXY_HEADER``): counting ``BIZFLOW_TRUSTED_PROXY_COUNT`` entries from its
right, the address the outermost trusted proxy saw. Entries further left come from the client and
can say anything, so they are never used.
"""

from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import UsernameField
from django.core.cache import cache
from django.http import Http404, HttpResponse

MAX_ADDRESS_LENGTH = 64


def meta_key(header: str) -> str:
    """``X-Forwarded-For`` or ``HTTP_X_FORWARDED_FOR`` as the request.META key."""
    name = header.strip().upper().replace("-", "_")
    return name if name.startswith("HTTP_") or name == "REMOTE_ADDR" else f"HTTP_{name}"


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or the right-most untrusted hop of the trusted proxy header."""
    header = getattr(settings, "BIZFLOW_TRUSTED_PROXY_HEADER", "")
    if header:
        hops = [hop.strip() for hop in request.META.get(meta_key(header), "").split(",") if hop.strip()]
        if hops:
            trusted = max(1, int(getattr(settings, "BIZFLOW_TRUSTED_PROXY_COUNT", 1)))
            return hops[max(0, len(hops) - trusted)][:MAX_ADDRESS_LENGTH]
    return request.META.get("REMOTE_ADDR", "?")


def login_username(request) -> str:
    """The username as authentication will look it up (the login form's own field cleans it)."""
    return UsernameField().to_python(request.POST.get("username", "")) or ""


def _key(request) -> str:
    return f"login-failures:{client_address(request)}:{login_username(request)}"


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


def email_required(view):
    """Password reset mails a link: without e-mail (BIZFLOW_EMAIL_ENABLED) its pages do not exist (404)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.BIZFLOW_EMAIL_ENABLED:
            raise Http404("Password reset needs e-mail, which is not set up here.")
        return view(request, *args, **kwargs)

    return wrapper


login = login_rate_limited(auth_views.LoginView.as_view())
admin_login = login_rate_limited(admin.site.login)
# Django's own reset views (django.contrib.auth.urls), each behind the e-mail switch.
password_reset = email_required(auth_views.PasswordResetView.as_view())
password_reset_done = email_required(auth_views.PasswordResetDoneView.as_view())
password_reset_confirm = email_required(auth_views.PasswordResetConfirmView.as_view())
password_reset_complete = email_required(auth_views.PasswordResetCompleteView.as_view())
