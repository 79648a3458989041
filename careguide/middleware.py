import ipaddress
import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.db import InterfaceError, OperationalError
from django.middleware import locale
from django.utils import translation
from django.utils.cache import add_never_cache_headers

# Unix times kept in a logged-in session.
LOGGED_IN_AT = "_careguide_logged_in_at"
SEEN_AT = "_careguide_seen_at"
# SEEN_AT is rewritten at most this often, so a busy coordinator does not cost a session write
# per request; the idle logoff may come up to this much early.
SEEN_AT_STEP_SECONDS = 60


# Counted for a request whose peer has no address (a Unix socket): an address, never bound.
NO_ADDRESS = "0.0.0.0"  # noqa: S104  # nosec B104


def _address(value: str | None) -> str | None:
    """An IP address in its plain form, or None for anything else (a name, 999.1.1.1, a port).

    What is stored (django-axes' records, a PostgreSQL inet column) and what the rate limits
    count must be an address: anything else is a 500 there.
    """
    try:
        address = ipaddress.ip_address((value or "").strip())
    except ValueError:
        return None
    if getattr(address, "scope_id", None):  # fe80::1%eth0: the zone means nothing here
        address = ipaddress.ip_address(str(address).split("%")[0])
    return str(address)


def passive(view):
    """Marks a view whose requests are not activity (a workspace page's background poll): they
    do not keep the session alive, so SESSION_IDLE_MINUTES still logs out an open, idle tab."""
    view.session_passive = True
    return view


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the one our PROXY_COUNT proxies saw.

    A forwarded entry that is not an address (our proxy never writes one, so someone else did)
    counts as missing: the address is then the peer's, as without a proxy.
    """
    if settings.PROXY_COUNT:
        # Each proxy appends the address it saw; only the last PROXY_COUNT entries are ours.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if len(forwarded) >= settings.PROXY_COUNT and (
            address := _address(forwarded[-settings.PROXY_COUNT])
        ):
            return address
    return _address(request.META.get("REMOTE_ADDR")) or NO_ADDRESS


def _session_expired(session, now: float) -> bool:
    idle = now - session.get(SEEN_AT, now)
    age = now - session.get(LOGGED_IN_AT, now)
    return idle > settings.SESSION_IDLE_MINUTES * 60 or age > settings.SESSION_MAX_HOURS * 3600


def _logged_in(request) -> bool:
    """Whether the session holds a login; False when the session's database is down, so the
    view decides what to answer (a self-screen step keeps what was typed; the rest is 503)."""
    try:
        return SESSION_KEY in request.session
    except (OperationalError, InterfaceError):
        return False


class SessionLimitsMiddleware:
    """Log a user out after SESSION_IDLE_MINUTES idle or SESSION_MAX_HOURS in all.

    Only logged-in sessions: a patient's anonymous session (their answers so far) is left alone.
    Pages seen while logged in are never stored by a browser or a proxy.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _logged_in(request) and _session_expired(request.session, time.time()):
            logout(request)  # flushes the session: its key and contents are gone

        response = self.get_response(request)

        # Checked again: the view may just have logged someone in or out.
        if _logged_in(request):
            now = int(time.time())
            request.session.setdefault(LOGGED_IN_AT, now)
            match = getattr(request, "resolver_match", None)
            active = not getattr(match and match.func, "session_passive", False)
            if active and now - request.session.get(SEEN_AT, 0) >= SEEN_AT_STEP_SECONDS:
                request.session[SEEN_AT] = now
            add_never_cache_headers(response)
        return response


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's: the language from the choice's cookie, else the browser's Accept-Language;
    but the workspace and the admin (ENGLISH_ONLY_PATHS) speak English whatever they ask."""

    def process_request(self, request):
        if request.path_info.startswith(settings.ENGLISH_ONLY_PATHS):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        else:
            super().process_request(request)
