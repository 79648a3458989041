from django.conf import settings

from careguide.hours import describe


def centre_info() -> dict:
    """The centre as pages show it: settings.CENTRE and its opening hours in words."""
    return {**settings.CENTRE, "hours": describe(settings.CENTRE_HOURS)}


def centre(request):
    return {
        "centre": centre_info(),
        "quick_exit_url": settings.QUICK_EXIT_URL,
        # Each language named in itself, for the language choice (never translated).
        "language_names": settings.LANGUAGES,
    }
