"""Keeps what opens a screen or an account out of every log record."""

import copy
import logging
import re

# A result link (/r/<token>/...) opens and deletes a person's screen; a password-reset link
# (/password-reset/<uid>/<token>/) sets a coordinator's password. Paths end at a slash, a
# space, a quote, "?" or "#".
_PART = r"[^/\s'\"?#]+"
SECRET_PATHS = (
    (re.compile(rf"/r/{_PART}"), "/r/[token]"),
    (re.compile(rf"/password-reset/{_PART}/{_PART}"), "/password-reset/[uid]/[token]"),
)


def redact(text: str) -> str:
    for pattern, replacement in SECRET_PATHS:
        text = pattern.sub(replacement, text)
    return text


def _redact_value(value):
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, int | float | bool) or value is None:
        return value
    text = str(value)  # e.g. a URL object: its text, if that held a token
    cleaned = redact(text)
    return value if cleaned == text else cleaned


def _redacted_request(request):
    """A copy of the request for the record: the same, but its path and headers redacted."""
    clone = copy.copy(request)
    clone.path = redact(request.path)
    clone.path_info = redact(request.path_info)
    clone.META = {
        name: redact(value) if isinstance(value, str) else value
        for name, value in request.META.items()
    }
    clone.environ = clone.META
    clone.resolver_match = None  # its route and arguments hold the token too
    return clone


class RedactTokens(logging.Filter):
    """Rewrites the record in place, so every handler after this one sees it redacted too."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, dict):
            record.args = {key: _redact_value(value) for key, value in record.args.items()}
        elif record.args:
            record.args = tuple(_redact_value(value) for value in record.args)
        if record.exc_info:
            # The traceback as text, redacted; the exception itself may carry the path.
            record.exc_text = record.exc_text or logging.Formatter().formatException(
                record.exc_info
            )
            record.exc_info = None
        for name, value in list(vars(record).items()):
            if isinstance(value, str):
                setattr(record, name, redact(value))
        request = getattr(record, "request", None)
        if hasattr(request, "path_info"):
            record.request = _redacted_request(request)
        return True
