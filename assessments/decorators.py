"""The JSON API's concerns, in one place (as healthchecks' hc/api/decorators.py).

`@json_api` wraps a view that submits screens: POST only, no CSRF (no cookies, no session), the
content type, the size, the rate limit, the Idempotency-Key header, the JSON and what can be
stored; every answer `no-store`. The view gets the parsed object and the key, and reads like
the other views.
"""

import json
import re
from functools import wraps

from django.conf import settings
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from assessments import rules
from careguide.ratelimit import over_limit

IDEMPOTENCY_KEY_MAX = 255
# No database stores these in text: NUL, and UTF-16 surrogates, which JSON can write ("\ud800")
# but UTF-8 cannot encode alone.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def api_error(status: int, errors: dict[str, list[str]]) -> JsonResponse:
    return JsonResponse({"errors": errors}, status=status)


def submission_rate_exceeded(request) -> int | None:
    """Counts one screen sent, by the form or the API, from this client; the seconds to wait
    when over SUBMISSION_RATE."""
    return over_limit(request, "submissions", settings.SUBMISSION_RATE)


def _unstorable_fields(payload: dict) -> list[str]:
    """The fields holding text no database can store, anywhere inside (walked without
    recursion: a value may be nested as deep as the JSON parser allows)."""
    bad = []
    for name, value in payload.items():
        pending = [name, value]
        while pending:
            item = pending.pop()
            if isinstance(item, str) and UNSTORABLE.search(item):
                bad.append("__all__" if UNSTORABLE.search(name) else name)
                break
            if isinstance(item, dict):
                pending.extend(item.keys())
                pending.extend(item.values())
            elif isinstance(item, list):
                pending.extend(item)
    return bad


def _parse(request):
    """(payload, key), or the error response that answers the request instead."""
    if request.content_type != "application/json":
        return api_error(415, {"__all__": [_("Send the answers as application/json.")]})
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.API_MAX_BODY_BYTES or len(request.body) > settings.API_MAX_BODY_BYTES:
        limit = settings.API_MAX_BODY_BYTES // 1024
        return api_error(413, {"__all__": [_("The body is over %(kb)d KB.") % {"kb": limit}]})
    if retry_after := submission_rate_exceeded(request):
        response = api_error(429, {"__all__": [_("Too many screens from this address.")]})
        response["Retry-After"] = str(retry_after)
        return response
    key = request.headers.get("Idempotency-Key", "")
    if len(key) > IDEMPOTENCY_KEY_MAX:
        message = _("The Idempotency-Key header is over %(max)d characters.")
        return api_error(400, {"__all__": [message % {"max": IDEMPOTENCY_KEY_MAX}]})
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return api_error(400, {"__all__": [_("The body is not valid JSON.")]})
    except RecursionError:  # [[[[... thousands deep: valid JSON, but not answers
        return api_error(400, {"__all__": [_("The body is nested too deeply.")]})
    if not isinstance(payload, dict):
        return api_error(400, {"__all__": [_(rules.MSG_NOT_OBJECT)]})
    if bad := _unstorable_fields(payload):
        message = _("Holds a character that is not text (a NUL or a lone UTF-16 surrogate).")
        return api_error(400, {name: [message] for name in bad})
    return payload, key


def json_api(view):
    """view(request, payload: dict, idempotency_key: str), behind the API's checks."""

    @csrf_exempt  # an API for other systems: no cookies, no session, so no CSRF to forge
    @require_POST
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        parsed = _parse(request)
        response = view(request, *parsed, *args, **kwargs) if isinstance(parsed, tuple) else parsed
        add_never_cache_headers(response)  # a result, its link, or what was sent
        return response

    return wrapper
