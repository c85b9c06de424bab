"""Celery tasks: thin wrappers taking ids and calling services."""

from celery import shared_task
from django.contrib.auth import get_user_model

from .models import Journey
from .services.assets import journey_assets_push


@shared_task(ignore_result=True)
def push_journey_assets(journey_id: int, destination_id: int, user_id: int | None) -> None:
    """Push a journey's Business Flow and dashboard to a destination's tenant (outcome on TenantAssets)."""
    from .models import Destination  # from the delivery models

    journey = Journey.objects.filter(pk=journey_id).first()
    destination = Destination.objects.filter(pk=destination_id).first()
    if journey is None or destination is None:  # deleted while the task waited in the queue
        return
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    journey_assets_push(journey=journey, destination=destination, user=user)
