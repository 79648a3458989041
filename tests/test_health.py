from unittest import mock

import pytest
from django.db import OperationalError, connection


def test_healthz_answers_without_the_database(client):
    # No django_db mark: any query here would fail the test.
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.text == "ok"
    assert "no-store" in r["Cache-Control"]


@pytest.mark.django_db
def test_readyz_answers_when_the_database_does(client):
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.text == "ok"


@pytest.mark.django_db
def test_readyz_is_a_503_when_the_database_is_unreachable(client):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("down")):
        r = client.get("/readyz")
    assert r.status_code == 503
    assert r["Retry-After"] == "60"
    assert "down" not in r.text
