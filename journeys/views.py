from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .selectors import journey_list_for_user


@login_required
def journey_list(request):
    return render(request, "journeys/journey_list.html", {"journeys": journey_list_for_user(request.user)})
