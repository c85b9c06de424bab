from django.urls import path

from . import views

urlpatterns = [
    path("", views.journey_list, name="journey_list"),
    path("new/", views.journey_create, name="journey_create"),
    path("import/", views.journey_import, name="journey_import"),
    path("journeys/<slug:slug>/", views.journey_edit, name="journey_edit"),
    path("journeys/<slug:slug>/preview/", views.journey_preview, name="journey_preview"),
    path("journeys/<slug:slug>/export/", views.journey_export, name="journey_export"),
    path("journeys/<slug:slug>/duplicate/", views.journey_duplicate, name="journey_duplicate"),
    path("journeys/<slug:slug>/delete/", views.journey_delete, name="journey_delete"),
]
