from django.urls import path

from . import views

app_name = "echeances"
urlpatterns = [
    path("", views.tableau, name="tableau"),
    path("calendrier/", views.jeton, name="jeton"),
    path("ical/<str:jeton>.ics", views.ical_secret, name="ical_secret"),
]
