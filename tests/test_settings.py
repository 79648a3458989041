import subprocess
import sys
from pathlib import Path

import pytest

GOOD_KEY = "k" * 50
MANAGE_PY = Path(__file__).resolve().parents[1] / "manage.py"


PRODUCTION_ENV = {
    "DJANGO_DEBUG": "False",
    "DJANGO_SECRET_KEY": "a-long-random-production-like-key-Zq8v1Xr0pLm2Nc7Tb4Wy9Ke3",
    "DJANGO_ALLOWED_HOSTS": "screen.example.org",
    "REDIS_URL": "redis://cache.example.org:6379/0",
}


def _load_settings(
    env: dict, code: str = "import careguide.settings as s; print(s.DEBUG, s.ALLOWED_HOSTS)"
) -> subprocess.CompletedProcess:
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
            "REDIS_URL": "redis://cache:6379/0",
        }
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['a.example.org', 'b.example.org']"


CACHE = "import careguide.settings as s; print(s.CACHES['default']['BACKEND'].rsplit('.', 1)[1])"


def test_without_redis_it_refuses_to_start_in_production():
    """Finding 5: each worker counted the rate limits in its own memory: with two workers, 60
    screens passed a 30/10m limit. Not the database cache either: it cannot add atomically."""
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "REDIS_URL"}
    result = _load_settings(env, CACHE)
    assert result.returncode != 0
    assert "REDIS_URL must be set when DJANGO_DEBUG is False" in result.stderr


@pytest.mark.parametrize(
    ("env", "backend"),
    [
        (PRODUCTION_ENV, "RedisCache"),  # shared by every worker, atomic increments
        ({"DJANGO_DEBUG": "True"}, "LocMemCache"),  # make run: one process
        ({**PRODUCTION_ENV, "REDIS_URL": "", "LOCAL_MEMORY_CACHE": "True"}, "LocMemCache"),
    ],
    ids=["production", "debug", "one-process"],
)
def test_the_cache_is_shared_in_production(env, backend):
    result = _load_settings(env, CACHE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == backend


@pytest.mark.parametrize("name", ["SUBMISSION_RATE", "STEP_RATE"])
def test_it_rejects_a_bad_rate(name):
    result = _load_settings({"DJANGO_DEBUG": "True", name: "thirty a minute"})
    assert result.returncode != 0
    assert f"{name} must look like 30/10m" in result.stderr


def test_debug_runs_without_a_key_for_local_development():
    result = _load_settings({"DJANGO_DEBUG": "True"})
    assert result.returncode == 0, result.stderr


def test_it_rejects_a_bad_number():
    result = _load_settings({"DJANGO_DEBUG": "True", "RESULT_LINK_DAYS": "thirty"})
    assert result.returncode != 0
    assert "RESULT_LINK_DAYS must be a whole number" in result.stderr


SECURITY_SETTINGS = (
    "import careguide.settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS,"
    " s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, s.SESSION_COOKIE_NAME,"
    " s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
)


@pytest.mark.parametrize(
    "env, expected",
    [
        # Production: https only, HSTS for a year, __Host- cookies (Secure, whole site, no Domain).
        (PRODUCTION_ENV, "True 31536000 True True __Host-sessionid __Host-csrftoken True True"),
        # make run: plain http on 127.0.0.1, where Secure and __Host- cookies would not stick.
        ({"DJANGO_DEBUG": "True"}, "False 0 False False sessionid csrftoken False False"),
    ],
)
def test_https_settings_follow_debug(env, expected):
    result = _load_settings(env, SECURITY_SETTINGS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_the_deploy_check_is_clean_with_production_values():
    result = subprocess.run(
        [sys.executable, MANAGE_PY, "check", "--deploy", "--fail-level", "WARNING"],
        env={"PATH": "", **PRODUCTION_ENV},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_centre_hours_are_read_per_weekday():
    code = "import careguide.settings as s; print(sorted(s.CENTRE_HOURS), s.CENTRE_HOURS[5])"
    result = _load_settings(
        {"DJANGO_DEBUG": "True", "CENTRE_HOURS": "Mon-Fri 08:00-20:00, Sat 09:00-13:00"}, code
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "[0, 1, 2, 3, 4, 5] (datetime.time(9, 0), datetime.time(13, 0))"
    )


@pytest.mark.parametrize(
    "env, message",
    [
        ({"CENTRE_HOURS": "Monday to Friday, 8am to 8pm"}, "CENTRE_HOURS: 'monday to friday'"),
        ({"CENTRE_HOURS": "Mon 20:00-08:00"}, "CENTRE_HOURS: 'mon 20:00-08:00' closes before"),
        ({"CENTRE_CALLBACK_HOURS": "0"}, "CENTRE_CALLBACK_HOURS must be 1 or more"),
        ({"CENTRE_LEVELS": " , "}, "CENTRE_LEVELS must name at least one level"),
        ({"QUICK_EXIT_URL": "http://www.weather.gov/"}, "QUICK_EXIT_URL must be an https://"),
        ({"QUICK_EXIT_URL": 'https://x.org/"><script>'}, "QUICK_EXIT_URL must be an https://"),
    ],
)
def test_it_refuses_bad_centre_settings(env, message):
    result = _load_settings({"DJANGO_DEBUG": "True", **env})
    assert result.returncode != 0
    assert message in result.stderr


def test_centre_levels_default_to_all_three():
    code = "import careguide.settings as s; print(s.CENTRE_LEVELS)"
    result = _load_settings({"DJANGO_DEBUG": "True"}, code)
    assert result.stdout.strip() == "['inpatient', 'iop', 'outpatient']"


def test_the_system_check_refuses_an_unknown_level():
    result = subprocess.run(
        [sys.executable, MANAGE_PY, "check"],
        env={"PATH": "", "DJANGO_DEBUG": "True", "CENTRE_LEVELS": "iop,outpatients"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "assessments.E001" in result.stderr
    assert "CENTRE_LEVELS names 'outpatients', which is not a level of care" in result.stderr
