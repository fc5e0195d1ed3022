from django.contrib import admin
from django.urls import include, path

from rmprog.health import healthz

urlpatterns = [
    path("accounts/", include("rmprog.accounts")),
    path("admin/", admin.site.urls),
    path("healthz/", healthz, name="healthz"),
    path("", include("participants.urls")),
    path("", include("questionnaires.urls")),
    path("", include("audit.urls")),
    path("", include("sessions.urls")),
    path("", include("analysis.urls")),
]

handler500 = "rmprog.errors.server_error"
