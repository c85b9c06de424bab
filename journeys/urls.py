from django.urls import path

from . import (
    asset_views,
    views,
    views_connection,
    views_decisions,
    views_delivery,
    views_delivery_dynatrace,
    views_team,
)

urlpatterns = [
    path("", views.journey_list, name="journey_list"),
    path("new/", views.journey_create, name="journey_create"),
    path("import/", views.journey_import, name="journey_import"),
    path("journeys/<slug:slug>/", views.journey_edit, name="journey_edit"),
    path("journeys/<slug:slug>/preview/", views.journey_preview, name="journey_preview"),
    path("journeys/<slug:slug>/export/", views.journey_export, name="journey_export"),
    path("journeys/<slug:slug>/duplicate/", views.journey_duplicate, name="journey_duplicate"),
    path("journeys/<slug:slug>/delete/", views.journey_delete, name="journey_delete"),
    path(
        "journeys/<slug:slug>/decisions/<str:event_type>/",
        views_decisions.decision_settings_edit,
        name="decision_settings_edit",
    ),
    # Delivery: a journey's panel and its buttons.
    path("journeys/<slug:slug>/delivery/", views_delivery.journey_delivery, name="journey_delivery"),
    path("journeys/<slug:slug>/delivery/send-now/", views_delivery.journey_send_now, name="journey_send_now"),
    path("journeys/<slug:slug>/activate/", views_delivery.journey_activate_view, name="journey_activate"),
    path("journeys/<slug:slug>/pause/", views_delivery.journey_pause_view, name="journey_pause"),
    path("journeys/<slug:slug>/resume/", views_delivery.journey_resume_view, name="journey_resume"),
    path(
        "journeys/<slug:slug>/destinations/attach/",
        views_delivery.journey_destination_attach,
        name="journey_destination_attach",
    ),
    path(
        "journeys/<slug:slug>/destinations/<int:pair_id>/detach/",
        views_delivery.journey_destination_detach,
        name="journey_destination_detach",
    ),
    path(
        "journeys/<slug:slug>/destinations/<int:pair_id>/push-assets/",
        views_delivery_dynatrace.journey_delivery_push,
        name="journey_delivery_push",
    ),
    path(
        "journeys/<slug:slug>/destinations/<int:pair_id>/ask-tenant/",
        views_delivery_dynatrace.journey_destination_probe,
        name="journey_destination_probe",
    ),
    # Destinations.
    path("destinations/", views_delivery.destination_list, name="destination_list"),
    path("destinations/new/<str:kind>/", views_delivery.destination_create_view, name="destination_create"),
    path("destinations/<int:pk>/", views_delivery.destination_edit, name="destination_edit"),
    path("destinations/<int:pk>/restart/", views_delivery.destination_restart_view, name="destination_restart"),
    path(
        "destinations/<int:pk>/test/", views_connection.destination_test_connection, name="destination_test_connection"
    ),
    # Dynatrace assets: the Business Flow and dashboard built from the journey.
    path("journeys/<slug:slug>/dynatrace/", asset_views.journey_assets, name="journey_assets"),
    path("journeys/<slug:slug>/dynatrace/push/", asset_views.journey_assets_push, name="journey_assets_push"),
    path(
        "journeys/<slug:slug>/dynatrace/<str:filename>",
        asset_views.journey_assets_download,
        name="journey_assets_download",
    ),
    # The team page: tenants, members and roles.
    path("team/", views_team.team, name="team"),
    path("team/<slug:slug>/", views_team.team_tenant, name="team_tenant"),
    path("team/<slug:slug>/members/add/", views_team.team_member_add, name="team_member_add"),
    path("team/<slug:slug>/members/<int:user_id>/role/", views_team.team_member_role, name="team_member_role"),
    path("team/<slug:slug>/members/<int:user_id>/remove/", views_team.team_member_remove, name="team_member_remove"),
]
