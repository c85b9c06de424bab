"""What every page's top bar needs: which sections exist for this user, and the tenants they are in."""

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject

from .models import Membership


def _team_url() -> str | None:
    # The team page comes with its own app; until it is installed there is nothing to link to.
    try:
        return reverse("team")
    except NoReverseMatch:
        return None


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        # Password reset mails a link: offered only where e-mail is set up.
        return {"nav_team_url": None, "user_memberships": [], "password_reset_offered": settings.BIZFLOW_EMAIL_ENABLED}
    # Lazy: htmx fragments, which show no top bar, never run the query.
    memberships = SimpleLazyObject(
        lambda: list(Membership.objects.filter(user=user).select_related("tenant").order_by("tenant__name"))
    )
    return {"nav_team_url": _team_url(), "user_memberships": memberships}
