from django.urls import path

from .views import decisions, delivery, destinations, dynatrace, eventlog, imports, journeys, team, workspaces

urlpatterns = [
    path("", journeys.journey_list, name="journey_list"),
    path("new/", journeys.journey_create, name="journey_create"),
    path("import/", imports.journey_import, name="journey_import"),
    path("workspace/new/", workspaces.workspace_new, name="workspace_new"),
    path("journeys/<slug:slug>/", journeys.journey_edit, name="journey_edit"),
    path("journeys/<slug:slug>/preview/", journeys.journey_preview, name="journey_preview"),
    path("journeys/<slug:slug>/export/", journeys.journey_export, name="journey_export"),
    path("journeys/<slug:slug>/event-log/", eventlog.journey_event_log, name="journey_event_log"),
    path("journeys/<slug:slug>/duplicate/", journeys.journey_duplicate, name="journey_duplicate"),
    path("journeys/<slug:slug>/delete/", journeys.journey_delete, name="journey_delete"),
    path(
        "journeys/<slug:slug>/decisions/<str:event_type>/",
        decisions.decision_settings_edit,
        name="decision_settings_edit",
    ),
    # Delivery: a journey's panel and its buttons.
    path("journeys/<slug:slug>/delivery/", delivery.journey_delivery, name="journey_delivery"),
    path("journeys/<slug:slug>/delivery/send-now/", delivery.journey_send_now, name="journey_send_now"),
    path("journeys/<slug:slug>/activate/", delivery.journey_activate_view, name="journey_activate"),
    path("journeys/<slug:slug>/pause/", delivery.journey_pause_view, name="journey_pause"),
    path("journeys/<slug:slug>/resume/", delivery.journey_resume_view, name="journey_resume"),
    path(
        "journeys/<slug:slug>/destinations/attach/",
        delivery.journey_destination_attach,
        name="journey_destination_attach",
    ),
    path(
        "journeys/<slug:slug>/destinations/<int:pair_id>/detach/",
        delivery.journey_destination_detach,
        name="journey_destination_detach",
    ),
    path(
        "journeys/<slug:slug>/destinations/<int:pair_id>/push-assets/",
        dynatrace.journey_delivery_push,
        name="journey_delivery_push",
    ),
    path(
        "journeys/<slug:slug>/destinations/<int:pair_id>/ask-tenant/",
        dynatrace.journey_destination_probe,
        name="journey_destination_probe",
    ),
    # Destinations.
    path("destinations/", destinations.destination_list, name="destination_list"),
    path("destinations/new/<str:kind>/", destinations.destination_create_view, name="destination_create"),
    path("destinations/<int:pk>/", destinations.destination_edit, name="destination_edit"),
    path("destinations/<int:pk>/restart/", destinations.destination_restart_view, name="destination_restart"),
    path("destinations/<int:pk>/test/", destinations.destination_test_connection, name="destination_test_connection"),
    # Dynatrace assets: the Business Flow and dashboard built from the journey.
    path("journeys/<slug:slug>/dynatrace/", dynatrace.journey_assets, name="journey_assets"),
    path("journeys/<slug:slug>/dynatrace/push/", dynatrace.journey_assets_push, name="journey_assets_push"),
    path(
        "journeys/<slug:slug>/dynatrace/<str:filename>",
        dynatrace.journey_assets_download,
        name="journey_assets_download",
    ),
    # The team page: tenants, members and roles.
    path("team/", team.team, name="team"),
    path("team/<slug:slug>/", team.team_tenant, name="team_tenant"),
    path("team/<slug:slug>/members/add/", team.team_member_add, name="team_member_add"),
    path("team/<slug:slug>/members/<int:user_id>/role/", team.team_member_role, name="team_member_role"),
    path("team/<slug:slug>/members/<int:user_id>/remove/", team.team_member_remove, name="team_member_remove"),
    path(
        "team/<slug:slug>/invitations/<int:invitation_id>/cancel/",
        team.team_invitation_cancel,
        name="team_invitation_cancel",
    ),
    # An invitation's answer: only the invitee's own invitations exist for them (404 for anyone else).
    path("team/invitations/<int:invitation_id>/accept/", team.team_invitation_accept, name="team_invitation_accept"),
    path("team/invitations/<int:invitation_id>/decline/", team.team_invitation_decline, name="team_invitation_decline"),
]
