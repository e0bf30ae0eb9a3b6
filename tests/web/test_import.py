"""Hostile and oversized imports (issue 23, points 5 and 7): a clear 4xx and nothing written,
never a 500; imported answers stay out of the item statistics; imports are rate limited."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from app.catalogue import catalogue
from app.extensions import db
from app.models import Attempt
from app.services import item_stats, skill_estimates
from app.services.importer import GZIP_MAGIC
from config import Config
from tests.conftest import get_user, login
from tests.web.conftest import app_with_mail
from tests.web.quiz_helpers import answer_all, start
from tests.web.test_accounts_lifecycle import previewed_digest, rows_of, some_history, upload

Mutation = Callable[[dict[str, Any]], Any]


def _set(path: str, value: Any) -> Mutation:
    """Set the value at a dotted path (list indexes as numbers) of the export."""

    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[int(last) if isinstance(node, list) else last] = value

    return mutate


BIG = "__BIG_NUMBER__"

HOSTILE: list[tuple[str, Mutation | bytes, str]] = [
    ("deep nesting", b"[" * 100_000 + b"]" * 100_000, "nested more than 32 levels"),
    ("deep nesting inside", _set("profile.x", json.loads("[" * 40 + "]" * 40)), "nested more"),
    ("5000 digits", _set("attempts.0.overall_score", BIG), "a number with too many digits"),
    ("huge id", _set("attempts.0.id", 10**40), "attempts.0.id"),
    ("infinite score", _set("attempts.0.overall_score", float("inf")), "overall_score"),
    ("not a number", _set("attempts.0.skill_scores.0.combined_score", float("nan")), "score"),
    ("year 0", _set("milestones.certifications.0.earned_on", "0000-01-01"), "earned_on"),
    ("year 99999", _set("milestones.certifications.0.earned_on", "99999-01-01"), "earned_on"),
    ("30 February", _set("milestones.certifications.0.earned_on", "2025-02-30"), "earned_on"),
    (
        "year 1 with an offset",
        _set("attempts.0.started_at", "0001-01-01T00:00:00+05:00"),
        "between 1900 and 2100",
    ),
    ("year 9999", _set("attempts.0.submitted_at", "9999-12-31T23:59:59-05:00"), "2100"),
    ("150-character title", _set("milestones.certifications.0.name", "x" * 150), "120"),
    ("long attempt title", _set("attempts.0.title", "x" * 161), "160"),
    ("long quiz key", _set("attempts.0.quiz_key", "x" * 101), "100"),
    ("NUL", _set("milestones.certifications.0.issuer", "AS\x00CM"), "U+0000"),
    ("control character", _set("attempts.0.title", "Quiz\x07"), "attempts[0].title"),
    ("control character in a name", _set("profile.bad\x1bkey", 1), "U+001B"),
    ("lone surrogate", _set("profile.display_name", "\ud800"), "U+D800"),
    ("unknown role", _set("attempts.0.role_slug", "astronaut"), "astronaut"),
    ("unknown skill", None, "underwater-basket-weaving"),
]


def _unknown_skill(data: dict[str, Any]) -> None:
    attempt = data["attempts"][0]
    for row in (*attempt["answers"], *attempt["skill_scores"]):
        row["skill_id"] = "underwater-basket-weaving"


def hostile_file(exported: bytes, mutation: Mutation | bytes | None) -> bytes:
    if isinstance(mutation, bytes):
        return mutation
    data = json.loads(exported)
    (mutation or _unknown_skill)(data)
    return json.dumps(data).replace(f'"{BIG}"', "9" * 5000).encode()


@pytest.mark.parametrize(
    ("mutation", "message"),
    [pytest.param(m, msg, id=name) for name, m, msg in HOSTILE],
)
def test_a_hostile_import_gets_a_clear_4xx_and_writes_nothing(
    mail_app, ada, make_user, mutation, message
):
    some_history(ada, mail_app)
    exported = ada.get("/export.json").data
    make_user("eve@example.com", "Eve", role="production-manager")
    eve = mail_app.test_client()
    login(eve, "eve@example.com")

    response = upload(eve, hostile_file(exported, mutation))
    assert response.status_code == 422, response.text[:2000]
    assert message in response.text
    assert "Nothing was imported" in response.text
    with mail_app.app_context():
        rows = rows_of(get_user(mail_app, "eve@example.com").id)
        assert {name: n for name, n in rows.items() if n and name != "users"} == {}
    assert eve.get("/report").status_code == 200
    assert eve.get("/attempts").status_code == 200


# A PNG image renamed to .json: binary, with many bytes that are brackets in ASCII.
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 64
NOT_JSON = "This is not an export file from ProdReady: it is not JSON text."
NOT_AN_EXPORT = "This is not an export file from ProdReady: it is"


def import_form(page: str) -> bool:
    """Whether the page has the import form, to choose a file again."""
    return 'action="/import"' in page and 'type="file"' in page


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(PNG, "it is a PNG image, not JSON text", id="png"),
        pytest.param(b"\x00\xff\xfe" * 1000 + b"{" * 40, NOT_JSON, id="binary"),
        pytest.param(b"PK\x03\x04" + b"[{" * 40, "it is a ZIP archive, not JSON text", id="zip"),
        pytest.param(gzip.compress(PNG), "it is a PNG image, not JSON text", id="gzipped png"),
        pytest.param('{"café": 1}'.encode("utf-16"), NOT_JSON, id="utf-16 text"),
        pytest.param(b"<html>" + b"{[" * 40, NOT_JSON, id="text with brackets"),
        pytest.param(b"date,quiz,score\n2025-03-07,skill,80\n", NOT_JSON, id="csv"),
        pytest.param(b"", "The file is empty", id="empty"),
        pytest.param(b" \n\t\r\n", "The file is empty", id="blank"),
        pytest.param(b"[1, 2, 3]", f"{NOT_AN_EXPORT} a JSON list", id="list"),
        pytest.param(b"42", f"{NOT_AN_EXPORT} a JSON number", id="number"),
        pytest.param(b"1e999", f"{NOT_AN_EXPORT} a JSON number", id="infinite number"),
        pytest.param(b'"prodready-export"', f"{NOT_AN_EXPORT} a JSON string", id="string"),
        pytest.param(b"null", f"{NOT_AN_EXPORT} a JSON null", id="null"),
        pytest.param(b'{"hello": "world"}', "not in the format of an export", id="other json"),
        pytest.param(b'{"format": "prodready-export", "attempts": [', "cut short", id="cut short"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, "nested more than 32 levels", id="deep"),
        pytest.param(b"{" * 33 + b"}" * 33, "nested more than 32 levels", id="33 levels"),
        pytest.param(
            gzip.compress(b'{"format": "prodready-export"}')[:-12], "cut short", id="cut gzip"
        ),
    ],
)
def test_a_file_that_is_not_an_export_gets_a_message_that_says_so(ada, content, message):
    """Issue 25, point 2: a PNG renamed to .json was "nested more than 32 levels deep"."""
    login(ada)
    response = upload(ada, content)
    assert response.status_code == 422, response.text[:2000]
    assert message in response.text
    assert "Nothing was imported" in response.text
    assert ("nested more" in response.text) == ("nested more" in message)
    assert import_form(response.text)  # to choose another file


def test_a_cut_short_export_says_so(mail_app, ada):
    some_history(ada, mail_app)
    exported = ada.get("/export.json").data
    response = upload(ada, exported[: len(exported) // 2])
    assert response.status_code == 422
    assert "The file ends before its JSON does" in response.text
    # Cut inside a character of two bytes (PostgreSQL's run once cut an export there).
    accented = exported.replace(b'"Ada"', '"Adé"'.encode(), 1)
    assert accented != exported
    inside = accented.index("é".encode()) + 1
    for cut in (accented[:inside], b"\xef\xbb\xbf" + accented[:inside]):  # with a byte order mark
        response = upload(ada, cut)
        assert response.status_code == 422
        assert "The file ends before its JSON does" in response.text


def test_an_imported_attempt_opens_its_result_page(mail_app, ada, make_user):
    some_history(ada, mail_app)
    exported = ada.get("/export.json").data
    make_user("eve@example.com", "Eve", role="production-manager")
    eve = mail_app.test_client()
    login(eve, "eve@example.com")
    assert upload(eve, exported).status_code == 302
    with mail_app.app_context():
        [attempt_id] = db.session.scalars(
            sa.select(Attempt.id).where(Attempt.user_id == get_user(mail_app, "eve@example.com").id)
        )
    result = eve.get(f"/attempts/{attempt_id}/result")
    assert result.status_code == 200
    assert "Production scheduling and planning" in result.text
    assert eve.get("/report").status_code == 200


def eve_and_her_rows(mail_app, make_user) -> tuple[FlaskClient, Callable[[], dict[str, int]]]:
    """Eve, logged in, and a count of her rows in each table that has any (her user row
    aside)."""
    make_user("eve@example.com", "Eve", role="production-manager")
    eve = mail_app.test_client()
    login(eve, "eve@example.com")
    eve_id = get_user(mail_app, "eve@example.com").id

    def owned() -> dict[str, int]:
        with mail_app.app_context():
            return {k: v for k, v in rows_of(eve_id).items() if v and k != "users"}

    return eve, owned


def test_an_import_is_previewed_and_added_only_when_confirmed(mail_app, ada, make_user):
    """Another person's export: the preview says whose it is and warns; nothing is added until
    the confirmation; a cancelled preview leaves nothing to confirm (issue 24, point 5)."""
    some_history(ada, mail_app)
    exported = ada.get("/export.json").data
    eve, owned = eve_and_her_rows(mail_app, make_user)

    before = owned()

    preview = upload(eve, exported, confirm=False)
    assert preview.status_code == 200
    page = " ".join(preview.text.split())
    assert "This export came from <strong>ada@example.com</strong>, not from this account" in page
    assert '<th scope="row">Quiz attempts</th><td>1</td><td>1</td>' in page
    assert "0 records" not in page
    assert "0 unfinished" not in page
    assert owned() == {**before, "pending_imports": 1}  # held, not imported
    cancel = eve.post("/import/cancel", data={"digest": previewed_digest(preview.text)})
    assert cancel.status_code == 302
    assert owned() == before
    nothing = eve.post("/import/confirm", follow_redirects=True)
    assert "There is no file waiting to be imported" in nothing.text
    assert owned() == before

    assert upload(eve, exported).status_code == 302  # previewed and confirmed
    said = " ".join(eve.get("/report").text.split())
    assert "Imported 1 quiz attempt and 1 milestone." in said
    assert "already here" not in said
    assert "Left out" not in said
    added = owned()
    assert added["attempts"] == 1
    assert "pending_imports" not in added
    again = " ".join(upload(eve, exported, confirm=False).text.split())
    assert '<th scope="row">Quiz attempts</th><td>1</td><td>0</td>' in again  # already here


def test_ones_own_export_gets_no_warning(mail_app, ada):
    some_history(ada, mail_app)
    page = upload(ada, ada.get("/export.json").data, confirm=False).text
    assert "not from this account" not in page
    assert "Check before importing" in page


def test_confirming_imports_the_file_on_screen_or_says_the_preview_is_out_of_date(
    mail_app, ada, make_user
):
    """A tryout found it: tab 1 previews file A, tab 2 previews file B; tab 1's Import button
    used to import B. Each preview's forms name their file by its digest."""
    some_history(ada, mail_app)
    whole = json.loads(ada.get("/export.json").data)
    file_a = json.dumps(whole).encode()  # an attempt and a certification
    file_b = json.dumps({**whole, "attempts": []}).encode()  # the certification only
    eve, owned = eve_and_her_rows(mail_app, make_user)

    tab_1 = upload(eve, file_a, confirm=False)
    tab_2 = upload(eve, file_b, confirm=False)
    digest_a, digest_b = previewed_digest(tab_1.text), previewed_digest(tab_2.text)

    stale = eve.post("/import/confirm", data={"digest": digest_a})  # tab 1's Import button
    assert stale.status_code == 409, owned()  # it used to import file B
    assert len({digest_a, digest_b, ""}) == 3
    page = " ".join(stale.text.split())
    assert "This preview is out of date: another file was previewed since. Preview it again." in (
        page
    )
    assert "Nothing was imported" in page
    assert import_form(page)  # to preview it again
    assert owned() == {"pending_imports": 1}  # file B still waits for tab 2
    assert eve.post("/import/confirm", data={}).status_code == 409  # a page without a digest

    cancelled = eve.post("/import/cancel", data={"digest": digest_a}, follow_redirects=True)
    assert "Nothing was imported" in cancelled.text
    assert owned() == {"pending_imports": 1}  # tab 1's Cancel leaves tab 2's file

    done = eve.post("/import/confirm", data={"digest": digest_b}, follow_redirects=True)
    assert "Imported 1 milestone." in done.text  # file B, as tab 2 said
    assert owned() == {"certifications": 1}

    again = eve.post("/import/confirm", data={"digest": digest_a}, follow_redirects=True)
    assert "There is no file waiting to be imported" in again.text
    assert owned() == {"certifications": 1}

    fresh = upload(eve, file_a, confirm=False)  # the form of the 409 page, used again
    assert '<th scope="row">Quiz attempts</th><td>1</td><td>1</td>' in " ".join(fresh.text.split())
    done = eve.post(
        "/import/confirm", data={"digest": previewed_digest(fresh.text)}, follow_redirects=True
    )
    assert "Imported 1 quiz attempt." in done.text
    assert owned()["attempts"] == 1


def test_a_file_with_nothing_new_offers_no_import(mail_app, ada, make_user):
    """Issue 25, point 5: the preview offered "Import 0 attempts and 0 milestones"."""
    some_history(ada, mail_app)
    own = upload(ada, ada.get("/export.json").data)
    assert own.status_code == 200
    page = " ".join(own.text.split())
    assert "Everything in this file is already in this account: there is nothing to import." in (
        page
    )
    assert 'action="/import/confirm"' not in page
    assert "Import 0" not in page
    assert '<a href="/import"' in page  # choose another file
    with mail_app.app_context():
        assert rows_of(get_user(mail_app).id)["pending_imports"] == 0  # nothing held

    make_user("eve@example.com", "Eve", role="production-manager")
    eve = mail_app.test_client()
    login(eve, "eve@example.com")
    empty = upload(eve, eve.get("/export.json").data)
    assert "This file holds no finished quiz attempts and no milestones: there is nothing" in (
        empty.text
    )
    assert 'action="/import/confirm"' not in empty.text
    start(eve)
    unfinished = " ".join(upload(eve, eve.get("/export.json").data).text.split())
    assert (
        "This file holds no finished quiz attempts and no milestones, only 1 unfinished attempt, "
        "which is never imported: there is nothing to import."
    ) in unfinished
    assert 'action="/import/confirm"' not in unfinished


def test_an_upload_over_the_request_limit_shows_the_import_form(mail_app, ada, make_user):
    """Issue 25, point 3: a 5 MB file got the bare 413 page. Now the import page says why,
    and a file previewed before (in another tab) can still be imported."""
    some_history(ada, mail_app)
    exported = ada.get("/export.json").data
    make_user("eve@example.com", "Eve", role="production-manager")
    eve = mail_app.test_client()
    login(eve, "eve@example.com")
    earlier = upload(eve, exported, confirm=False)

    huge = upload(eve, b" " * 5 * 1024 * 1024)
    assert huge.status_code == 413
    page = " ".join(huge.text.split())
    assert "<h1>Import your data</h1>" in page
    assert 'class="error-summary"' in page
    assert "That file is larger than 4 MB." in page
    assert "Export gzip" in page
    assert "Nothing was imported" in page
    assert import_form(page)

    done = eve.post(
        "/import/confirm", data={"digest": previewed_digest(earlier.text)}, follow_redirects=True
    )
    assert "Imported 1 quiz attempt and 1 milestone." in done.text


def shared_numbers(app) -> tuple[list, list]:
    """Every item's statistics and every scale's alpha, as all users' scoring sees them."""
    with app.app_context():
        return item_stats.item_statistics(catalogue(), min_answers=1)


def test_imported_answers_count_for_their_owner_but_not_in_the_item_statistics(
    mail_app, ada, make_user
):
    some_history(ada, mail_app)
    exported = ada.get("/export.json").data
    before = shared_numbers(mail_app)
    answered = {s.item_id: s.answers for s in before[0] if s.answers}
    assert sorted(answered.values()) == [1] * 9  # each of Ada's nine answers counts

    make_user("eve@example.com", "Eve", role="production-manager")
    eve = mail_app.test_client()
    login(eve, "eve@example.com")
    assert upload(eve, exported).status_code == 302
    assert "already in this account" in upload(eve, exported).text  # the second adds nothing
    assert shared_numbers(mail_app) == before
    with mail_app.app_context():
        mine = skill_estimates.current(get_user(mail_app, "eve@example.com").id)
    assert mine["production-scheduling"].estimate.answers == 9  # Eve's own estimate has them


def test_imports_are_rate_limited_per_account(app, inbox, make_user):
    """Only files whose JSON was read count (issue 25, point 4): a preview shown, or a file
    refused after reading it; mistakes caught at once do not, and the pause shows the form
    with when to try again."""
    make_user(role="production-manager")
    make_user("eve@example.com", "Eve")
    limited = app_with_mail(app, inbox, RATELIMIT_ENABLED=True, IMPORT_LIMIT_ACCOUNT="2 per hour")
    ada, eve = limited.test_client(), limited.test_client()
    some_history(ada, limited)
    exported = ada.get("/export.json").data
    login(eve, "eve@example.com")

    mistakes = [
        ada.post("/import", data={}, content_type="multipart/form-data"),  # no file chosen
        upload(ada, exported, "notes.txt"),
        upload(ada, PNG),
        upload(ada, b""),
        upload(ada, b"<html>" + b"[" * 100),
        upload(ada, GZIP_MAGIC + b"\x08\x00 not deflate at all"),
        upload(ada, exported + b" " * Config.IMPORT_MAX_UPLOAD_BYTES),
        upload(ada, b" " * (Config.MAX_CONTENT_LENGTH + 1)),
    ]
    assert [r.status_code for r in mistakes] == [422] * 6 + [413] * 2
    codes = [
        upload(ada, b'{"hello": "world"}').status_code,  # read, then refused: counts
        upload(ada, exported, confirm=False).status_code,
        upload(ada, exported, confirm=False).status_code,
    ]
    assert codes == [422, 200, 429]
    paused = upload(ada, b"not json")
    assert paused.status_code == 429
    assert "Retry-After" in paused.headers
    page = paused.text
    assert "Import your data" in page  # the import page, not the bare 429 page
    assert "this can be done at most 2 times an hour" in page
    assert "Try again in" in page
    assert import_form(page)
    assert ada.get("/import").status_code == 200  # the page itself is not limited
    assert upload(eve, exported, confirm=False).status_code == 200  # nor another account


def years_of_history(client, app, assessments: int) -> bytes:
    """An export with this many full assessments: one taken for real, the rest copies of it a
    month apart (each is a distinct attempt to the importer)."""
    attempt_id = start(client, "full.production-manager")
    answer_all(client, app, attempt_id)
    client.post(f"/attempts/{attempt_id}/submit")
    data = json.loads(client.get("/export.json").data)
    [taken] = data["attempts"]
    for months in range(1, assessments):
        earlier = {
            key: (datetime.fromisoformat(taken[key]) - timedelta(days=30 * months)).isoformat()
            for key in ("started_at", "submitted_at")
        }
        data["attempts"].append({**taken, **earlier})
    return json.dumps(data, indent=2).encode()


def test_years_of_history_import_as_gzip(mail_app, ada, make_user):
    """60 full assessments, five years of one a month, pass the 4 MB limit as JSON; the gzip
    export of them imports, and so does the new account's own gzip export."""
    login(ada)
    exported = years_of_history(ada, mail_app, 60)
    assert len(exported) > mail_app.config["IMPORT_MAX_UPLOAD_BYTES"]
    make_user("eve@example.com", "Eve", role="production-manager")
    eve = mail_app.test_client()
    login(eve, "eve@example.com")
    too_large = upload(eve, exported)
    assert too_large.status_code == 413
    assert "Export gzip" in too_large.text

    assert upload(eve, gzip.compress(exported), "prodready-export.json.gz").status_code == 302
    assert "Imported 60 quiz attempts" in eve.get("/report").text
    own = eve.get("/export.json.gz")
    assert own.headers["Content-Disposition"] == "attachment; filename=prodready-export.json.gz"
    assert len(own.data) < mail_app.config["IMPORT_MAX_UPLOAD_BYTES"]
    make_user("fred@example.com", "Fred", role="production-manager")
    fred = mail_app.test_client()
    login(fred, "fred@example.com")
    assert upload(fred, own.data, "prodready-export.json.gz").status_code == 302
    assert "Imported 60 quiz attempts" in fred.get("/report").text


@pytest.mark.parametrize(
    ("content", "status", "message"),
    [
        pytest.param(
            gzip.compress(b" " * (Config.IMPORT_MAX_BYTES + 1)),
            413,
            "unpacks to more than 16 MB",
            id="gzip bomb",
        ),
        pytest.param(GZIP_MAGIC + b"\x08\x00 not deflate at all", 422, "damaged", id="damaged"),
        # An id of its own: gzip stamps the time into the bytes, and xdist's workers must
        # collect the same test ids.
        pytest.param(
            gzip.compress(b'{"format": "prodready-export"}')[:-12], 422, "cut short", id="cut short"
        ),
    ],
)
def test_a_bad_gzip_file_is_refused(ada, make_user, content, status, message):
    login(ada)
    response = upload(ada, content, "prodready-export.json.gz")
    assert response.status_code == status
    assert message in response.text
    assert "Nothing was imported" in response.text
