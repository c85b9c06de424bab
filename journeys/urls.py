from django.urls import path

from . import views, views_delivery

urlpatterns = [
    path("", views.journey_list, name="journey_list"),
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
    # Destinations.
    path("destinations/", views_delivery.destination_list, name="destination_list"),
    path("destinations/new/<str:kind>/", views_delivery.destination_create_view, name="destination_create"),
    path("destinations/<int:pk>/", views_delivery.destination_edit, name="destination_edit"),
    path("destinations/<int:pk>/restart/", views_delivery.destination_restart_view, name="destination_restart"),
]
