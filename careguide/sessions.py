"""Django's database sessions, refusing a session key that Django could never have made."""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

_VALID = frozenset(VALID_KEY_CHARS)


class SessionStore(DatabaseSessionStore):
    """A cookie can carry any text, a NUL too (quoted: "\\000"): on PostgreSQL a NUL in the
    lookup is an error, so a 500 for anyone. A key of other characters is no session."""

    def _validate_session_key(self, key):
        return bool(super()._validate_session_key(key)) and set(key) <= _VALID
