from django.urls import path

from . import views

urlpatterns = [
    path("", views.journey_list, name="journey_list"),
]
