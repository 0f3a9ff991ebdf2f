"""Staff two-factor pages, mounted at /admin/two-factor/ (hled/urls.py)."""

from django.urls import path

from . import views

app_name = "security"

urlpatterns = [
    path("", views.manage, name="mfa-manage"),
    path("setup/", views.setup, name="mfa-setup"),
    path("verify/", views.verify, name="mfa-verify"),
    path("recovery-codes/", views.recovery_codes, name="mfa-recovery-codes"),
    path("disable/", views.disable, name="mfa-disable"),
]
