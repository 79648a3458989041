from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Self-screens"

    def ready(self):
        checks.register(check_centre_levels)


def check_centre_levels(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """CENTRE_LEVELS names only levels the rules know (a typo would refer everyone out)."""
    from assessments.rules import Level

    known = [level.value for level in Level]
    return [
        checks.Error(
            f"CENTRE_LEVELS names {name!r}, which is not a level of care",
            hint=f"Use some of: {', '.join(known)}.",
            id="assessments.E001",
        )
        for name in settings.CENTRE_LEVELS
        if name not in known
    ]
