import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from careguide import settings as project_settings


def test_new_passwords_are_hashed_with_argon2(settings):
    # conftest.py swaps in MD5 for speed; here the project's own list applies.
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    assert make_password("a long enough passphrase").startswith("argon2$")


def test_tests_use_a_fast_hasher():
    assert make_password("a long enough passphrase").startswith("md5$")


@pytest.mark.parametrize(
    "password, message",
    [
        ("Xk3!vq9#Lm2", "at least 12 characters"),
        ("password1234", "too common"),
        ("qwertyuiop123", "too common"),
    ],
)
def test_it_refuses_short_or_common_passwords(password, message):
    with pytest.raises(ValidationError, match=message):
        validate_password(password)


def test_it_welcomes_long_passphrases():
    passphrase = "correct horse battery staple on a quiet tuesday morning " * 4
    assert len(passphrase) > 200
    validate_password(passphrase)  # raises nothing
