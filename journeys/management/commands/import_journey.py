from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from journeys.access import role_at_least, role_in
from journeys.engine.spec import InvalidJourney
from journeys.models import Membership, Tenant
from journeys.services.imports import DEMO_USERNAME, journey_import_text
from journeys.services.tenancy import TenantChoiceNeeded


def _one_line(text: str) -> str:
    """A message on one line, whatever a file's keys or values held."""
    return text.replace("\r", "\\r").replace("\n", "\\n")


class Command(BaseCommand):
    help = (
        "Import a journey from a BizFlow Studio JSON file, a Business Data Generator config.js or its "
        "exported workflow (recognised by content). Prints the new journey's slug."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the file to import")
        parser.add_argument(
            "--journeys-per-day", type=float, help="journey starts per day (a config.js has none: default 600)"
        )
        parser.add_argument("--owner", default=DEMO_USERNAME, help=f"username of the owner (default {DEMO_USERNAME})")
        parser.add_argument(
            "--tenant",
            help="slug of the tenant it goes into; the owner must be its editor or owner "
            "(default: the only tenant they may edit in; with several, this must say which)",
        )

    def handle(
        self, *args, path: str, journeys_per_day: float | None, owner: str, tenant: str | None, **options
    ) -> None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        user = get_user_model().objects.filter(username=owner).first()
        if user is None:
            raise CommandError(f"no user '{owner}': run `manage.py seed_demo` or pass --owner")
        target = self._tenant(user, tenant) if tenant else None
        try:
            journey = journey_import_text(text=text, owner=user, journeys_per_day=journeys_per_day, tenant=target)
        except TenantChoiceNeeded as exc:
            raise CommandError(f"{exc} with --tenant SLUG") from exc
        except InvalidJourney as exc:
            problems = [_one_line(str(error)) for error in exc.errors]
            if len(problems) == 1:  # one line says it all
                raise CommandError(f"{path} was not imported: {problems[0]}") from exc
            for problem in problems:
                self.stderr.write(f"{path}: {problem}")
            raise CommandError(f"{path} was not imported: {len(problems)} problems, listed above") from exc
        self.stdout.write(journey.slug)

    def _tenant(self, user, slug: str) -> Tenant:
        """The tenant ``slug``, where ``user`` must be at least an editor (as on the import page)."""
        found = Tenant.objects.filter(slug=slug).first()
        role = role_in(user, found) if found else None
        if found is None or role is None:
            raise CommandError(f"no tenant '{slug}' that {user.username} is a member of")
        if not role_at_least(role, Membership.Role.EDITOR):
            raise CommandError(f"{user.username} is a {role} of {found.name}: importing needs the editor role")
        return found
