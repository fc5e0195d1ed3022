from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from rmprog.health import healthz

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("healthz/", healthz, name="healthz"),
    path("", include("participants.urls")),
    path("", include("questionnaires.urls")),
    path("", include("audit.urls")),
    path("", include("sessions.urls")),
    path("", include("analysis.urls")),
]

handler500 = "rmprog.errors.server_error"
