import subprocess
import sys

import pytest

GOOD_KEY = "k" * 50


def _load_settings(env: dict) -> subprocess.CompletedProcess:
    code = "import careguide.settings as s; print(s.DEBUG, s.ALLOWED_HOSTS)"
    return subprocess.run(
        [sys.executable, "-c", code], env={"PATH": "", **env}, capture_output=True, text=True
    )


@pytest.mark.parametrize("value", ["true", "1", "yes", "", "FALSE"])
def test_debug_accepts_only_true_or_false(value):
    result = _load_settings({"DJANGO_DEBUG": value})
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be True or False" in result.stderr


@pytest.mark.parametrize(
    "key", [None, "", "short", "dev-only-insecure-key-do-not-use-in-production"]
)
def test_it_refuses_a_missing_or_placeholder_secret_key_without_debug(key):
    env = {"DJANGO_DEBUG": "False", "DJANGO_ALLOWED_HOSTS": "example.org"}
    if key is not None:
        env["DJANGO_SECRET_KEY"] = key
    result = _load_settings(env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_it_refuses_empty_allowed_hosts_without_debug():
    result = _load_settings({"DJANGO_DEBUG": "False", "DJANGO_SECRET_KEY": GOOD_KEY})
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must be set" in result.stderr


def test_it_starts_with_production_values():
    result = _load_settings(
        {
            "DJANGO_DEBUG": "False",
            "DJANGO_SECRET_KEY": GOOD_KEY,
            "DJANGO_ALLOWED_HOSTS": "a.example.org, b.example.org",
        }
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['a.example.org', 'b.example.org']"


def test_debug_runs_without_a_key_for_local_development():
    result = _load_settings({"DJANGO_DEBUG": "True"})
    assert result.returncode == 0, result.stderr


def test_it_rejects_a_bad_number():
    result = _load_settings({"DJANGO_DEBUG": "True", "RESULT_LINK_DAYS": "thirty"})
    assert result.returncode != 0
    assert "RESULT_LINK_DAYS must be a whole number" in result.stderr
