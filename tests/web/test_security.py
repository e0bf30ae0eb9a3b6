"""Security controls (OWASP ASVS L2 items from issue 6), each checked through the real stack."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import Flask

from app import create_app
from app.extensions import db
from app.models import RateLimitCounter
from config import ProductionConfig
from tests.conftest import PASSWORD, csrf_token, login, make_config
from tests.text import spaced
from tests.web.conftest import app_with_mail


@pytest.mark.parametrize("url", ["/", "/roles", "/healthz", "/static/css/app.css", "/nope"])
def test_security_headers_on_every_response(client, url):
    headers = client.get(url).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in headers  # only in production


def test_personal_data_is_never_cached(app, user_client):
    """Exports and API answers as well as pages: no-store; static files keep their own."""
    from tests.web.test_api import token_for

    bearer = {"Authorization": f"Bearer {token_for(app)}"}
    responses = {
        "/report": user_client.get("/report"),
        "/export.json": user_client.get("/export.json"),
        "/export.csv": user_client.get("/export.csv"),
        "/api/v1/export": user_client.get("/api/v1/export", headers=bearer),
        "/api/v1/attempts": user_client.get("/api/v1/attempts", headers=bearer),
        "/api/v1/openapi.json": user_client.get("/api/v1/openapi.json"),
    }
    for url, response in responses.items():
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
    assert "no-store" not in user_client.get("/static/css/app.css").headers["Cache-Control"]


def test_templates_have_no_inline_script_or_style():
    from pathlib import Path

    for path in Path("app/templates").rglob("*.html"):
        if path.parent.name == "mail":
            continue  # mail bodies are read in mail clients, not served under the page CSP
        html = path.read_text()
        assert "<script>" not in html, path
        assert " style=" not in html, path
        assert " onclick=" not in html, path


def production_app(app: Flask, **overrides) -> Flask:
    cfg = type(
        "Prod",
        (ProductionConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "production-secret",
            "PUBLIC_BASE_URL": "https://localhost",  # the test client's host, trusted
            "RATELIMIT_ENABLED": False,
            **overrides,
        },
    )
    return create_app(cfg)


def test_production_requires_secret_key(app):
    with pytest.raises(RuntimeError, match="SECRET_KEY must be set"):
        production_app(app, SECRET_KEY=None)


def test_production_cookies_and_hsts(app, make_user):
    make_user()
    prod = production_app(app)
    client = prod.test_client()
    response = client.get("/healthz")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    https = "https://localhost"  # Secure cookies only travel over HTTPS
    token = csrf_token(client.get("/login", base_url=https).get_data(as_text=True))
    response = client.post(
        "/login",
        base_url=https,
        headers={"Referer": f"{https}/login"},  # Flask-WTF checks it on HTTPS
        data={"csrf_token": token, "email": "ada@example.com", "password": PASSWORD},
    )
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_session_cookie_flags_in_development(client, make_user):
    make_user()
    cookie = login(client).headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_login_starts_a_new_session(client, make_user):
    make_user()
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    login(client)
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["_user_id"].endswith(":0")


def test_logout_ends_the_other_sessions(app, user_client):
    other = app.test_client()
    login(other)
    assert other.get("/dashboard").status_code == 200
    user_client.post("/logout")
    assert other.get("/dashboard").status_code == 302
    assert login(app.test_client()).status_code == 302  # logging in again still works


def test_healthz_is_a_bare_json_endpoint(client):
    response = client.get("/healthz")
    assert response.json == {"status": "ok"}
    assert "Set-Cookie" not in response.headers


# --- rate limits ---------------------------------------------------------------------------


def limited_app(app: Flask, **limits: str) -> Flask:
    return create_app(
        make_config(app.config["SQLALCHEMY_DATABASE_URI"], RATELIMIT_ENABLED=True, **limits)
    )


def test_login_is_limited_per_account(app, make_user):
    make_user()
    limited = limited_app(app, LOGIN_LIMIT_ACCOUNT="2 per minute")
    client = limited.test_client()
    for _ in range(2):
        assert login(client, password="wrong password!").status_code == 422
    response = login(client)
    assert response.status_code == 429
    assert b"Too many requests" in response.data
    assert "Retry-After" in response.headers
    # Another account from the same address is not blocked by this account's limit.
    assert login(client, email="someone@example.com").status_code == 422


def test_an_address_of_any_length_is_counted_without_keeping_it(app):
    """The fuzz sweep once sent a 1,000-character address: its counter key overflowed the
    column (a 500 on PostgreSQL). Keys are digests: fixed length, no address in the table."""
    limited = limited_app(app, LOGIN_LIMIT_ACCOUNT="2 per minute", REGISTER_LIMIT_ACCOUNT="9/hour")
    client = limited.test_client()
    long_address = "a" * 990 + "@example.com"
    codes = [login(client, email=long_address).status_code for _ in range(3)]
    assert codes == [422, 422, 429]
    assert client.post("/register", data={"email": long_address}).status_code < 500
    with limited.app_context():
        buckets = db.session.scalars(sa.select(RateLimitCounter.bucket)).all()
    assert buckets
    assert all(len(bucket) < 120 for bucket in buckets), buckets
    assert not any("example.com" in bucket for bucket in buckets)


def test_strangers_cannot_lock_the_owner_out_of_a_browser_used_before(app, make_user):
    make_user()
    limited = limited_app(app, LOGIN_LIMIT_ACCOUNT="2 per minute")
    owner, stranger, new_browser = (limited.test_client() for _ in range(3))
    assert login(owner).status_code == 302  # the owner's browser gets its device cookie
    owner.post("/logout")
    for _ in range(2):
        assert login(stranger, password="guessing wrong!").status_code == 422
    assert login(stranger).status_code == 429  # even the right password, from a stranger
    assert login(new_browser).status_code == 429  # the account's limit covers every stranger
    assert login(owner).status_code == 302  # but not the browser the owner used before
    forged = limited.test_client()
    forged.set_cookie("prodready_device", owner.get_cookie("prodready_device").value + "x")
    assert login(forged).status_code == 429  # an altered device cookie counts for nothing


def test_the_owners_browser_stays_trusted_after_an_email_change(app, inbox, make_user):
    make_user()
    limited = app_with_mail(app, inbox, RATELIMIT_ENABLED=True, LOGIN_LIMIT_ACCOUNT="2 per minute")
    owner, stranger = limited.test_client(), limited.test_client()
    assert login(owner).status_code == 302
    owner.post(
        "/profile/email",
        data={"email-new_email": "ada.b@example.com", "email-current_password": PASSWORD},
    )
    assert owner.post(inbox.link("ada.b@example.com")).status_code == 302
    owner.post("/logout")
    for _ in range(2):
        assert login(stranger, "ada.b@example.com", "guessing wrong!").status_code == 422
    assert login(stranger, "ada.b@example.com").status_code == 429
    assert login(owner, "ada.b@example.com").status_code == 302


def test_a_device_cookie_has_a_limit_of_its_own_and_successes_do_not_count(app, make_user):
    make_user()
    limited = limited_app(
        app, LOGIN_LIMIT_ACCOUNT="2 per minute", LOGIN_LIMIT_DEVICE="2 per minute"
    )
    owner = limited.test_client()
    for _ in range(3):  # logging in is not a failure
        assert login(owner).status_code == 302
        owner.post("/logout")
    codes = [login(owner, password="typo in it, sorry").status_code for _ in range(3)]
    assert codes == [422, 422, 429]  # a stolen device cookie buys no extra guesses


def test_the_429_page_keeps_the_form_and_says_when_to_try_again(app, make_user):
    make_user()
    limited = limited_app(app, LOGIN_LIMIT_ACCOUNT="1 per minute")
    client = limited.test_client()
    login(client, password="wrong password!")
    response = login(client, password="wrong again, sadly")
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    page = response.get_data(as_text=True)
    assert 'value="ada@example.com"' in page  # what was typed, except the password
    assert "wrong again" not in page
    assert re.search(r"Try again in \d+ seconds \(at \d\d:\d\d UTC\)", spaced(page))
    assert '<form method="post" action="/login"' in page


def test_reset_requests_from_the_owners_browser_are_not_blocked_by_strangers(app, make_user):
    make_user()
    limited = limited_app(app, FORGOT_LIMIT_ACCOUNT="1 per hour", FORGOT_LIMIT_DEVICE="1 per hour")
    owner, stranger = limited.test_client(), limited.test_client()
    login(owner)
    owner.post("/logout")
    forgot = {"email": "ada@example.com"}
    assert stranger.post("/forgot-password", data=forgot).status_code == 200
    throttled = stranger.post("/forgot-password", data=forgot)
    assert throttled.status_code == 429
    assert 'value="ada@example.com"' in throttled.get_data(as_text=True)
    assert owner.post("/forgot-password", data=forgot).status_code == 200  # first of the hour
    assert owner.post("/forgot-password", data=forgot).status_code == 429  # then its own limit


def test_login_is_limited_per_ip(app):
    limited = limited_app(app, LOGIN_LIMIT_IP="3 per minute")
    client = limited.test_client()
    codes = [login(client, email=f"u{i}@example.com").status_code for i in range(4)]
    assert codes == [422, 422, 422, 429]
    assert client.get("/login").status_code == 200  # only POSTs count


def test_limits_are_shared_between_processes(app, make_user):
    make_user()
    first = limited_app(app, LOGIN_LIMIT_ACCOUNT="2 per minute")
    second = limited_app(app, LOGIN_LIMIT_ACCOUNT="2 per minute")
    assert login(first.test_client(), password="wrong password!").status_code == 422
    assert login(second.test_client(), password="wrong password!").status_code == 422
    assert login(first.test_client()).status_code == 429


def test_registration_is_limited(app):
    limited = limited_app(app, REGISTER_LIMIT_IP="2 per minute")
    client = limited.test_client()
    codes = [
        client.post("/register", data={"email": f"r{i}@example.com"}).status_code for i in range(3)
    ]
    assert codes == [422, 422, 429]


def test_password_change_is_limited_per_account(app, make_user):
    make_user()
    limited = limited_app(app, PASSWORD_LIMIT_ACCOUNT="2 per minute")
    client = limited.test_client()
    login(client)
    data = {
        "password-current_password": "wrong guess here",
        "password-new_password": "x" * 12,
        "password-confirm": "x" * 12,
    }
    codes = [client.post("/profile/password", data=data).status_code for _ in range(3)]
    assert codes == [422, 422, 429]


def test_expired_counters_can_be_pruned(app, make_user):
    import time

    import sqlalchemy as sa

    from app.extensions import db

    make_user()
    limited = limited_app(app, LOGIN_LIMIT_ACCOUNT="5 per minute")
    login(limited.test_client(), password="wrong password!")
    with app.app_context():
        rows = db.session.scalar(sa.text("SELECT count(*) FROM rate_limits"))
        assert rows >= 1
        db.session.execute(
            sa.text("UPDATE rate_limits SET expires_at = :t"), {"t": time.time() - 1}
        )
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["ratelimits", "prune"])
    assert result.exit_code == 0
    assert f"pruned: {rows} expired counters" in result.output
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM rate_limits")) == 0
