"""Rate limits, counted in the shared cache (settings.CACHES: Redis in production)."""

from django.shortcuts import render
from django_ratelimit.core import get_usage


def over_limit(request, group: str, rate: str, key="ip") -> int | None:
    """Counts one request in `group`; the seconds to wait when that is over `rate`, else None.

    `key` is what is counted per: "ip" (the client's address, see client_ip) or a function
    (group, request) -> str.
    """
    usage = get_usage(request, group=group, key=key, rate=rate, increment=True)
    if usage and usage["should_limit"]:
        return max(1, int(usage["time_left"]))
    return None


def too_many(request, template: str, retry_after: int):
    """429 with Retry-After, and a page (`template`) that says how many minutes to wait."""
    response = render(request, template, {"minutes": max(1, round(retry_after / 60))}, status=429)
    response["Retry-After"] = str(retry_after)
    return response
