"""The Django admin behind the same second factor as the workspace."""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode


class CareGuideAdminSite(admin.AdminSite):
    """Staff must also have passed the second factor when COORDINATOR_2FA_REQUIRED is on.

    A password alone opens nothing here: the admin shows screens. The code is given on the
    workspace's two-factor page, which sends the person back to the admin.
    """

    def has_permission(self, request):
        return super().has_permission(request) and _second_factor_passed(request)

    def login(self, request, extra_context=None):
        user = request.user
        if user.is_active and user.is_staff and not _second_factor_passed(request):
            query = urlencode({"next": request.GET.get("next") or reverse("admin:index")})
            return redirect(f"{reverse('coordinator:two_factor_verify')}?{query}")
        return super().login(request, extra_context)


def _second_factor_passed(request) -> bool:
    return not settings.COORDINATOR_2FA_REQUIRED or request.user.is_verified()


class CareGuideAdminConfig(AdminConfig):
    default_site = "careguide.admin.CareGuideAdminSite"
