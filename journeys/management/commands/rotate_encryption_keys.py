"""Re-encrypt every stored secret with the first of FIELD_ENCRYPTION_KEYS (README: "Rotating the encryption key")."""

from django.core.management.base import BaseCommand, CommandError

from journeys.services.secrets import Unreadable, secrets_reencrypt


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret (destinations' tokens and passwords) with the first key of "
        "FIELD_ENCRYPTION_KEYS. Run it after putting a new key first; then the old keys can be removed."
    )

    def handle(self, *args, **options) -> None:
        try:
            counts = secrets_reencrypt()
        except Unreadable as exc:
            raise CommandError(str(exc)) from exc
        total = sum(counts.values())
        details = ", ".join(f"{count} in {label}" for label, count in counts.items())
        plural = "" if total == 1 else "s"
        self.stdout.write(f"Re-encrypted {total} stored secret{plural} with the first key ({details}).")
