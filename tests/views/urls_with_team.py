"""The site's URLs plus a stand-in for the team page, which another app provides."""

from django.http import HttpResponse
from django.urls import path

from bizflow_studio.urls import urlpatterns as site_urlpatterns

urlpatterns = [path("team/", lambda request: HttpResponse("team"), name="team"), *site_urlpatterns]
