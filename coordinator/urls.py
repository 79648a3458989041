from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from coordinator import export, forms, views

app_name = "coordinator"

TEMPLATES = "coordinator/"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("due/", views.due, name="due"),
    path("counts/", views.counts, name="counts"),
    path("bulk-assign/", views.bulk_assign, name="bulk_assign"),
    path("export/", export.export, name="export"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("screens/<str:code>/", views.screen, name="screen"),
    path("screens/<str:code>/assign/", views.assign, name="assign"),
    path("screens/<str:code>/unassign/", views.unassign, name="unassign"),
    path("screens/<str:code>/status/", views.change_status, name="change_status"),
    path("screens/<str:code>/note/", views.add_note, name="add_note"),
    path("screens/<str:code>/call/", views.log_call, name="log_call"),
    path("screens/<str:code>/override/", views.override_level, name="override_level"),
    # The second factor, after the password: logged in, not yet verified.
    path("two-factor/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    # Signing in and out: open to anyone, in the workspace's look.
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name=TEMPLATES + "login.html",
            authentication_form=forms.LoginForm,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The link is sent from the outbox, built from SITE_URL (coordinator.notifications).
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name=TEMPLATES + "password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name=TEMPLATES + "password_reset_confirm.html",
            success_url=reverse_lazy("coordinator:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name=TEMPLATES + "password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
