import sys

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache

from careguide.context_processors import centre_info

RETRY_AFTER_SECONDS = 60


@never_cache
def healthz(request):
    """The process is up: no database, no session, nothing that can fail slowly."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
def readyz(request):
    """The database answers: a load balancer may send traffic here."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse(
            "database unavailable",
            content_type="text/plain",
            status=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    return HttpResponse("ok", content_type="text/plain")


def _database_unavailable(exc: BaseException | None) -> bool:
    # Walk the chain too: a database error may be wrapped by whatever tripped over it.
    while exc is not None:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def server_error(request):
    """handler500: a plain page, or 503 when the database is unreachable.

    Rendered without the request's context processors and without the database, so it works
    whatever broke; it shows no traceback, settings or SQL.
    """
    context = {"centre": centre_info(), "quick_exit_url": settings.QUICK_EXIT_URL}
    if _database_unavailable(sys.exc_info()[1]):
        body = loader.render_to_string("503.html", context)
        return HttpResponse(body, status=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    return HttpResponse(loader.render_to_string("500.html", context), status=500)


def locked_out(request, response=None, credentials=None):
    """django-axes' lockout answer: 429 and a page that says when to try again."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "locked_out.html", context, status=429)
