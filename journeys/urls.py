from django.urls import path

from . import asset_views, views

urlpatterns = [
    path("", views.journey_list, name="journey_list"),
    path("journeys/<slug:slug>/dynatrace/", asset_views.journey_assets, name="journey_assets"),
    path("journeys/<slug:slug>/dynatrace/push/", asset_views.journey_assets_push, name="journey_assets_push"),
    path(
        "journeys/<slug:slug>/dynatrace/<str:filename>",
        asset_views.journey_assets_download,
        name="journey_assets_download",
    ),
]
