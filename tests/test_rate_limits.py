"""Rate limits on registration, sign-in and the API, as problem responses with Retry-After."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from marketplace.extensions import limiter
from tests import factories
from tests.conftest import REDIS_URL, make_test_app


def test_registration_is_limited(api, ctx):
    statuses = [
        api.post("/accounts", factories.registration("buyer")).status_code for _ in range(4)
    ]
    assert statuses == [201, 201, 201, 429]
    response = api.post("/accounts", factories.registration("buyer"))
    assert response.mimetype == "application/problem+json"
    assert 1 <= int(response.headers["Retry-After"]) <= 61


def test_token_creation_is_limited_per_address(api, ctx):
    # A new email each time: the sign-in throttle (5 per address and email) stays out of it.
    statuses = [
        api.post(
            "/auth/tokens", {"email": f"someone{n}@example.in", "password": "wrong-pw-1"}
        ).status_code
        for n in range(11)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429


def test_html_sign_in_is_limited(client, ctx):
    from tests.conftest import csrf_token

    token = csrf_token(client.get("/account/sign-in").get_data(as_text=True))
    statuses = [
        client.post(
            "/account/sign-in",
            data={"csrf_token": token, "email": f"x{n}@example.in", "password": "wrong-pw-1"},
        ).status_code
        for n in range(11)
    ]
    assert statuses[:10] == [401] * 10 and statuses[10] == 429
    assert client.get("/account/sign-in").status_code == 200  # reading the page is not limited


def test_limits_can_be_turned_off_for_load_tests(tmp_path, sqlite_url, app):
    from marketplace.config import load_config

    setting = load_config({"RATELIMIT_ENABLED": "false"}, str(tmp_path))["RATELIMIT_ENABLED"]
    assert setting is False
    unlimited = make_test_app(sqlite_url, tmp_path, RATELIMIT_ENABLED=setting)
    try:
        client = unlimited.test_client()
        statuses = {
            client.post(
                "/api/v1/auth/tokens", json={"email": f"x{n}@example.in", "password": "wrong-pw-1"}
            ).status_code
            for n in range(15)
        }
        assert statuses == {401}
    finally:
        limiter.init_app(app)  # the limiter is shared: give it back to the suite's app


@pytest.fixture()
def redis_backed_apps(tmp_path: Path, app):
    if not REDIS_URL:
        pytest.skip("REDIS_URL is not set: the Redis rate-limit storage test is skipped")
    import redis

    # Its own key prefix: the same test may run at once on another worker, on the same Redis.
    shared = {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex}
    database = app.config["SQLALCHEMY_DATABASE_URI"]  # emptied after the test, as always
    first = make_test_app(database, tmp_path / "a", **shared)
    second = make_test_app(database, tmp_path / "b", **shared)
    yield first, second
    storage = redis.Redis.from_url(REDIS_URL)
    for key in storage.scan_iter(f"*{shared['RATELIMIT_KEY_PREFIX']}*"):
        storage.delete(key)
    limiter.init_app(app)


@pytest.mark.redis
def test_limits_are_shared_across_web_nodes_through_redis(redis_backed_apps):
    first, second = redis_backed_apps
    statuses = []
    for attempt in range(11):
        node = first if attempt % 2 == 0 else second
        wrong = {"email": f"someone{attempt}@example.in", "password": "wrong-password-1"}
        statuses.append(node.test_client().post("/api/v1/auth/tokens", json=wrong).status_code)
    assert statuses[:10] == [401] * 10 and statuses[10] == 429, statuses
