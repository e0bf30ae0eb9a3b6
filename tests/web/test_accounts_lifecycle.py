"""Accounts people can trust for years: password reset and email change by real mail (an
in-process aiosmtpd server), remember-me, account deletion and bringing an export back."""

from __future__ import annotations

import io
import json
import logging
import re
import time

import pytest
import sqlalchemy as sa
from flask import Flask
from itsdangerous import URLSafeTimedSerializer

from app.extensions import db
from app.models import RateLimitCounter, User
from app.services.accounts import account_limit_key
from tests.conftest import PASSWORD, get_user, login
from tests.mail import Inbox
from tests.web.conftest import app_with_mail
from tests.web.quiz_helpers import answer_all, start

NEW_PASSWORD = "a much longer new passphrase"


# --- forgotten password ------------------------------------------------------------------------


def test_login_page_offers_a_reset(ada):
    assert 'href="/forgot-password"' in ada.get("/login").text


def test_a_reset_mail_arrives_with_a_single_use_link(mail_app, ada, inbox):
    other_device = mail_app.test_client()
    login(other_device)
    response = ada.post("/forgot-password", data={"email": "ADA@example.com "})
    assert response.status_code == 200
    assert "Check your email" in response.text
    [message] = inbox.to("ada@example.com")
    assert message["From"] == "ProdReady <no-reply@prodready.test>"
    assert message["Subject"] == "Reset your ProdReady password"
    assert message.get_body(preferencelist=("html",)) is not None  # plain text and HTML
    link = inbox.link("ada@example.com")
    assert link.startswith("/reset-password/")

    assert ada.get(link).status_code == 200
    weak = ada.post(link, data={"new_password": "short", "confirm": "short"})
    assert weak.status_code == 422  # the same rules as at sign-up
    done = ada.post(link, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert ada.get("/dashboard").status_code == 200  # logged in by the reset
    assert other_device.get("/dashboard").status_code == 302  # every other session ended
    assert login(mail_app.test_client()).status_code == 422  # the old password is gone
    assert login(mail_app.test_client(), password=NEW_PASSWORD).status_code == 302

    again = mail_app.test_client().get(link)
    assert again.status_code == 400
    assert "already been used" in again.text


def test_an_unknown_address_gets_the_same_page_and_no_mail(ada, inbox):
    known = ada.post("/forgot-password", data={"email": "ada@example.com"}).text
    unknown = ada.post("/forgot-password", data={"email": "nobody@example.com"}).text
    assert unknown == known.replace("ada@example.com", "nobody@example.com")
    assert inbox.to("nobody@example.com") == []


def test_bad_reset_links_get_a_clear_page(mail_app, ada, inbox):
    ada.post("/forgot-password", data={"email": "ada@example.com"})
    link = inbox.link("ada@example.com")
    token = link.rsplit("/", 1)[1]
    altered = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    foreign = URLSafeTimedSerializer("another-prodready", salt="password-reset").dumps(
        {"u": get_user(mail_app).id, "p": "x"}
    )
    for bad, words in (
        (f"/reset-password/{altered}", "not valid"),
        (f"/reset-password/{foreign}", "not valid"),
        ("/reset-password/nonsense", "not valid"),
    ):
        response = ada.get(bad)
        assert response.status_code == 400, bad
        assert words in response.text
        assert (
            ada.post(bad, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code
            == 400
        )
    assert login(mail_app.test_client()).status_code == 302  # the password did not change


def test_a_reset_link_expires_after_its_time(app, inbox, make_user):
    make_user()
    expiring = app_with_mail(app, inbox, RESET_TOKEN_MAX_AGE=-1)  # past its time when opened
    client = expiring.test_client()
    client.post("/forgot-password", data={"email": "ada@example.com"})
    response = client.get(inbox.link("ada@example.com"))
    assert response.status_code == 400
    assert "expired" in response.text


def test_a_password_change_by_any_route_kills_the_link(mail_app, ada, inbox):
    ada.post("/forgot-password", data={"email": "ada@example.com"})
    link = inbox.link("ada@example.com")
    login(ada)
    changed = ada.post(
        "/profile/password",
        data={
            "password-current_password": PASSWORD,
            "password-new_password": NEW_PASSWORD,
            "password-confirm": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 302
    assert mail_app.test_client().get(link).status_code == 400


def test_a_reset_link_mailed_to_an_old_address_dies_with_the_email_change(mail_app, ada, inbox):
    """Whoever reads the old mailbox (a former employer's, say) cannot take over the account
    with a link sent there before the change (issue 23)."""
    ada.post("/forgot-password", data={"email": "ada@example.com"})
    old_link = inbox.link("ada@example.com")
    login(ada)
    assert change_email(ada, "ada.new@example.com").status_code == 302
    assert ada.post(inbox.link("ada.new@example.com")).status_code == 302
    assert get_user(mail_app, "ada.new@example.com").email == "ada.new@example.com"

    response = mail_app.test_client().get(old_link)
    assert response.status_code == 400
    taken = mail_app.test_client().post(
        old_link, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert taken.status_code == 400
    assert login(mail_app.test_client(), "ada.new@example.com").status_code == 302


def test_a_confirmation_link_works_once_even_after_a_change_there_and_back(mail_app, ada, inbox):
    """A -> B -> A puts the old address back, but the first link to B must stay dead (issue 23):
    the link is bound to the address and to the time of its last change."""
    login(ada)
    assert change_email(ada, "ada.b@example.com").status_code == 302
    to_b = inbox.link("ada.b@example.com")
    assert ada.post(to_b).status_code == 302
    assert change_email(ada, "ada@example.com").status_code == 302
    [back] = [m for m in inbox.to("ada@example.com") if "confirm-email" in Inbox.text(m)]
    link_back = re.search(r"http://localhost(/\S+)", Inbox.text(back)).group(1)
    assert ada.post(link_back).status_code == 302
    assert get_user(mail_app).email == "ada@example.com"

    again = ada.post(to_b)
    assert again.status_code == 400
    assert get_user(mail_app).email == "ada@example.com"  # not moved to B again


def mailed_path(inbox: Inbox, address: str, route: str) -> str:
    """The path of the newest link to `route` mailed to `address`."""
    [message] = [m for m in inbox.to(address) if route in Inbox.text(m)][-1:]
    return re.search(r"http://localhost(/\S+)", Inbox.text(message)).group(1)


@pytest.mark.parametrize("route", ["password change", "password reset"])
def test_a_pending_email_change_dies_with_a_password_change_or_reset(mail_app, ada, inbox, route):
    """Someone who once knew the password asks to move the account to their address; the owner
    changes the password (or resets it): the link must not hand the account over (issue 23)."""
    login(ada)
    assert change_email(ada, "thief@example.com").status_code == 302
    link = inbox.link("thief@example.com")
    if route == "password change":
        data = {
            "password-current_password": PASSWORD,
            "password-new_password": NEW_PASSWORD,
            "password-confirm": NEW_PASSWORD,
        }
        assert ada.post("/profile/password", data=data).status_code == 302
    else:
        ada.post("/logout")
        ada.post("/forgot-password", data={"email": "ada@example.com"})
        data = {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        reset = mailed_path(inbox, "ada@example.com", "reset-password")
        assert ada.post(reset, data=data).status_code == 302
    refused = mail_app.test_client().post(link)
    assert refused.status_code == 400
    assert get_user(mail_app).email == "ada@example.com"


def test_a_reset_link_stays_dead_after_a_change_there_and_back(mail_app, ada, inbox):
    ada.post("/forgot-password", data={"email": "ada@example.com"})
    old_link = inbox.link("ada@example.com")
    login(ada)
    assert change_email(ada, "ada.b@example.com").status_code == 302
    assert ada.post(inbox.link("ada.b@example.com")).status_code == 302
    assert change_email(ada, "ada@example.com").status_code == 302
    assert ada.post(mailed_path(inbox, "ada@example.com", "confirm-email")).status_code == 302
    assert get_user(mail_app).email == "ada@example.com"
    assert mail_app.test_client().get(old_link).status_code == 400


def test_reset_requests_are_rate_limited_per_address_and_per_ip(app, inbox, make_user):
    make_user()
    limited = app_with_mail(
        app,
        inbox,
        RATELIMIT_ENABLED=True,
        FORGOT_LIMIT_ACCOUNT="2 per hour",
        FORGOT_LIMIT_IP="5 per hour",
    )
    client = limited.test_client()
    for address in ("ada@example.com", "nobody@example.com"):  # the same for both
        codes = [
            client.post("/forgot-password", data={"email": address}).status_code for _ in range(3)
        ]
        assert codes == [200, 200, 429]
    assert len(inbox.to("ada@example.com")) == 2
    codes = [
        client.post("/forgot-password", data={"email": f"x{i}@example.com"}).status_code
        for i in range(2)
    ]
    assert codes == [200, 429]  # five from this address in the hour


# --- remember me -----------------------------------------------------------------------------


def test_remember_me_keeps_a_login_until_logout_or_password_change(mail_app, ada):
    response = ada.post(
        "/login", data={"email": "ada@example.com", "password": PASSWORD, "remember": "y"}
    )
    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    ada.delete_cookie("session")  # the browser was closed
    assert ada.get("/dashboard").status_code == 200  # the remember cookie logs back in

    elsewhere = mail_app.test_client()
    login(elsewhere)
    elsewhere.post(
        "/profile/password",
        data={
            "password-current_password": PASSWORD,
            "password-new_password": NEW_PASSWORD,
            "password-confirm": NEW_PASSWORD,
        },
    )
    ada.delete_cookie("session")
    assert ada.get("/dashboard").status_code == 302  # the password change ended it


def test_logout_ends_the_remembered_login(mail_app, ada):
    ada.post("/login", data={"email": "ada@example.com", "password": PASSWORD, "remember": "y"})
    ada.post("/logout")
    ada.delete_cookie("session")
    assert ada.get("/dashboard").status_code == 302


# --- change email ----------------------------------------------------------------------------


def change_email(client, new: str, password: str = PASSWORD):
    return client.post(
        "/profile/email", data={"email-new_email": new, "email-current_password": password}
    )


def test_changing_email_needs_the_password_and_a_confirmed_link(mail_app, ada, inbox):
    login(ada)
    wrong = change_email(ada, "ada.new@example.com", password="not my password at all")
    assert wrong.status_code == 422
    assert inbox.messages == []
    assert change_email(ada, "ada.new@example.com").status_code == 302
    [notice] = inbox.to("ada@example.com")
    assert "ada.new@example.com" in Inbox.text(notice)
    link = inbox.link("ada.new@example.com")
    assert get_user(mail_app).email == "ada@example.com"  # nothing changed yet

    page = ada.get(link)
    assert page.status_code == 200
    assert "ada.new@example.com" in page.text
    assert get_user(mail_app).email == "ada@example.com"  # a GET (a mail scanner) changes nothing
    assert ada.post(link).status_code == 302
    assert get_user(mail_app, "ada.new@example.com").email == "ada.new@example.com"
    assert login(mail_app.test_client(), "ada.new@example.com").status_code == 302
    assert ada.post(link).status_code == 400  # used


def test_an_address_of_another_account_is_not_revealed_until_the_link(
    mail_app, ada, inbox, make_user
):
    make_user("bob@example.com", "Bob")
    login(ada)
    taken = change_email(ada, "bob@example.com")
    free = change_email(ada, "free@example.com")
    assert taken.status_code == free.status_code == 302
    flashes = [ada.get("/profile").text for _ in range(1)]
    assert "We sent a confirmation link to" in flashes[0]
    [to_bob] = inbox.to("bob@example.com")
    assert "already has a ProdReady account" in Inbox.text(to_bob)
    assert "http" not in Inbox.text(to_bob)  # no link that could take over Bob's address
    assert get_user(mail_app).email == "ada@example.com"


def test_same_address_is_refused(ada):
    login(ada)
    response = change_email(ada, "Ada@Example.com")
    assert response.status_code == 422
    assert "That is already your email address." in response.text


# --- delete account --------------------------------------------------------------------------


def rows_of(user_id: int) -> dict[str, int]:
    """For every table, the rows that belong to the user, following foreign keys down from
    `users` (attempts, then their items and answers, ...)."""
    owned: dict[str, set] = {
        "users": set(db.session.scalars(sa.select(User.id).where(User.id == user_id)))
    }
    found: dict[str, int] = {}
    tables = db.metadata.sorted_tables
    changed = True
    while changed:
        changed = False
        for table in tables:
            for fk in table.foreign_keys:
                parent = fk.column.table.name
                if parent not in owned or not owned[parent]:
                    continue
                ids = set(
                    db.session.scalars(
                        sa.select(table.primary_key.columns[0]).where(
                            fk.parent.in_(sorted(owned[parent]))
                        )
                    )
                )
                if ids - owned.get(table.name, set()):
                    owned[table.name] = owned.get(table.name, set()) | ids
                    changed = True
    for table in tables:
        found[table.name] = len(owned.get(table.name, set()))
    return found


def some_history(client, app: Flask) -> None:
    """Log in, submit a skill quiz answered right, and log a certification."""
    login(client)
    attempt_id = start(client)
    answer_all(client, app, attempt_id)
    client.post(f"/attempts/{attempt_id}/submit")
    client.post(
        "/milestones/certifications/new",
        data={"name": "CPIM", "issuer": "ASCM", "earned_on": "2021-01-01"},
    )


def test_deleting_an_account_removes_everything_of_it_in_one_go(
    app, mail_app, ada, make_user, caplog
):
    some_history(ada, mail_app)
    make_user("bob@example.com", "Bob")
    with mail_app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "ada@example.com"))
        uid = user.id
        db.session.add_all(
            [
                RateLimitCounter(
                    bucket=f"LIMITER/user:{uid}/PASSWORD:account/5/1/minute",
                    hits=1,
                    expires_at=time.time() + 60,
                ),
                RateLimitCounter(  # as counters were keyed before the digest
                    bucket="LIMITER/account:ada@example.com/LOGIN:account/5/1/minute",
                    hits=1,
                    expires_at=time.time() + 60,
                ),
                RateLimitCounter(
                    bucket=f"LIMITER/{account_limit_key('ada@example.com')}/LOGIN:account/5/1/minute",
                    hits=1,
                    expires_at=time.time() + 60,
                ),
                RateLimitCounter(
                    bucket=f"LIMITER/{account_limit_key('Bob@Example.com')}/LOGIN:account/5/1/minute",
                    hits=1,
                    expires_at=time.time() + 60,
                ),
            ]
        )
        db.session.commit()
        before = rows_of(uid)
    assert before["attempts"] == 1
    assert before["answers"] == 9
    assert before["skill_estimates"] == 1
    assert before["certifications"] == 1

    page = ada.get("/profile/delete")
    assert 'href="/export.json"' in page.text  # the export is offered first
    refused = ada.post("/profile/delete", data={"current_password": "wrong password here"})
    assert refused.status_code == 422
    assert ada.post("/profile/delete", data={"current_password": PASSWORD}).status_code == 422
    with caplog.at_level(logging.INFO, logger=mail_app.logger.name):
        done = ada.post("/profile/delete", data={"current_password": PASSWORD, "understood": "y"})
    assert done.status_code == 302
    # Logged, so that a restore from an older backup can re-apply it (docs/operations.md).
    assert f"account {uid} deleted at its owner's request" in caplog.text
    assert ada.get("/dashboard").status_code == 302  # logged out
    assert login(mail_app.test_client()).status_code == 422

    with mail_app.app_context():
        after = rows_of(uid)
        assert all(count == 0 for count in after.values()), after
        buckets = db.session.scalars(sa.select(RateLimitCounter.bucket)).all()
        bob = account_limit_key("bob@example.com")
        assert buckets == [f"LIMITER/{bob}/LOGIN:account/5/1/minute"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1  # Bob


# --- import ----------------------------------------------------------------------------------


def upload(client, content: bytes, name: str = "prodready-export.json", confirm: bool = True):
    """Import as a person does: the file, its preview, then (with `confirm`) the preview's
    Import button; the preview's response when it refused the file, when it offers nothing to
    import, or when not confirming."""
    response = client.post(
        "/import", data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data"
    )
    if response.status_code != 200 or not confirm:
        return response
    assert "Check before importing" in response.text
    if 'action="/import/confirm"' not in response.text:
        return response  # nothing new: no Import button
    return client.post("/import/confirm", data={"digest": previewed_digest(response.text)})


def previewed_digest(page: str) -> str:
    """The digest the preview's forms carry: which file the page shows."""
    found = re.search(r'name="digest" value="([0-9a-f]{64})"', page)
    return found.group(1) if found else ""


def report_body(client, slug: str = "production-manager") -> str:
    html = client.get(f"/report/{slug}").text
    main = html[html.index("<main") : html.index("</main>")]
    main = re.sub(r'<div class="flashes".*?</div>', "", main, flags=re.S)
    main = re.sub(r'<p class="print-only">.*?</p>', "", main, flags=re.S)
    return " ".join(main.split())


def test_an_export_imported_into_a_new_account_gives_the_same_report(mail_app, ada, make_user):
    login(ada)
    for key in ("skill.production-scheduling", "skill.leadership"):
        attempt_id = start(ada, key)
        answer_all(ada, mail_app, attempt_id, right=key.endswith("leadership"))
        ada.post(f"/attempts/{attempt_id}/submit")
    ada.post(
        "/milestones/positions/new",
        data={
            "title": "Planner",
            "organisation": "ACME",
            "start_date": "2019-01-01",
            "in_production": "y",
            "managed_people": "y",
            "people_managed": "4",
        },
    )
    exported = ada.get("/export.json").data

    make_user("eve@example.com", "Ada", role="production-manager")  # same name: same page
    eve = mail_app.test_client()
    login(eve, "eve@example.com")
    response = upload(eve, exported)
    assert response.status_code == 302, response.text
    assert "Imported 2 quiz attempts and 1 milestone." in eve.get("/report").text
    assert report_body(eve) == report_body(ada)

    # Importing the same file again adds nothing, and offers nothing to import.
    again = upload(eve, exported)
    assert again.status_code == 200
    assert "Everything in this file is already in this account" in again.text
    assert 'action="/import/confirm"' not in again.text
    assert report_body(eve) == report_body(ada)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json at all", "This is not an export file from ProdReady: it is not JSON text."),
        (b'{"hello": "world"}', "it is JSON, but not in the format of an export."),
        (b'{"format": "prodready-export", "version": 1}', "format version 1"),
        (b"\xff\xfe\x00", "This is not an export file from ProdReady: it is not JSON text."),
    ],
)
def test_a_bad_file_gets_a_clear_message_and_saves_nothing(ada, content, message):
    login(ada)
    response = upload(ada, content)
    assert response.status_code == 422
    assert message in response.text


def test_a_tampered_export_saves_nothing(mail_app, ada, make_user):
    some_history(ada, mail_app)
    data = json.loads(ada.get("/export.json").data)
    data["attempts"][0]["answers"][-1]["item"]["prompt"] += " (changed)"

    make_user("eve@example.com", "Eve")
    eve = mail_app.test_client()
    login(eve, "eve@example.com")
    response = upload(eve, json.dumps(data).encode())
    assert response.status_code == 422
    assert "does not match its id and version" in response.text
    with mail_app.app_context():
        eve_id = get_user(mail_app, "eve@example.com").id
        assert all(count == 0 for name, count in rows_of(eve_id).items() if name != "users")


def test_an_oversized_file_is_refused(mail_app, ada):
    login(ada)
    limit = mail_app.config["IMPORT_MAX_UPLOAD_BYTES"]
    response = upload(ada, b" " * (limit + 1))
    assert response.status_code == 413
    assert "larger than 4 MB" in response.text
    huge = upload(ada, b" " * (mail_app.config["MAX_CONTENT_LENGTH"] + 1))
    assert huge.status_code == 413
    assert "at most 4 MB" in huge.text


def test_import_needs_a_file_and_a_login(mail_app, ada):
    assert mail_app.test_client().get("/import").status_code == 302
    login(ada)
    response = ada.post("/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose a file to import." in response.text


def test_a_deleted_accounts_session_never_opens_the_next_account(app, make_user, client):
    """Ids are never handed out again (SQLite reuses the highest rowid unless told otherwise):
    a browser still holding a deleted account's session must not wake up in a newer account
    that happens to get the same id."""
    ada_id = make_user()
    other_device = app.test_client()
    login(client)
    login(other_device)
    deleted = client.post("/profile/delete", data={"current_password": PASSWORD, "understood": "y"})
    assert deleted.status_code == 302
    bob_id = make_user("bob@example.com", "Bob")
    assert bob_id > ada_id
    assert other_device.get("/dashboard").status_code == 302  # to Log in, not Bob's dashboard
