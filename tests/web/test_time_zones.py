"""Times in the person's own zone (issue 24): the profile's choice, else the browser's (the `tz`
cookie), else UTC; an unknown zone refused with a message, a bad cookie ignored."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Attempt, User
from app.services.report import dated
from tests.conftest import get_user, login
from tests.text import spaced
from tests.web.quiz_helpers import answer_all, start
from tests.web.test_accounts_lifecycle import upload
from tests.web.test_security import limited_app

# 05:05 UTC on 7 March 2025: 14:05 in Tokyo, 00:05 in New York (before its summer time).
MOMENT = datetime(2025, 3, 7, 5, 5, tzinfo=UTC)


def save_profile(client, time_zone: str):
    return client.post(
        "/profile",
        data={
            "profile-display_name": "Ada",
            "profile-target_role": "production-manager",
            "profile-time_zone": time_zone,
            "profile-submit": "Save profile",
        },
    )


def selected_zone(html: str) -> str:
    """The value of the profile's time zone option that is selected."""
    select = html[html.index('id="profile-time_zone"') :]
    select = select[: select.index("</select>")]
    return select.split('selected value="')[1].split('"')[0]


def submitted_at(app, client, moment: datetime = MOMENT) -> int:
    """A submitted attempt, recorded as submitted (and started) at `moment`."""
    attempt_id = start(client)
    answer_all(client, app, attempt_id)
    client.post(f"/attempts/{attempt_id}/submit")
    with app.app_context():
        db.session.execute(
            sa.update(Attempt)
            .where(Attempt.id == attempt_id)
            .values(started_at=moment, submitted_at=moment)
        )
        db.session.commit()
    return attempt_id


def test_a_chosen_zone_is_saved_and_shown_selected(app, user_client):
    response = save_profile(user_client, "Asia/Tokyo")
    assert response.status_code == 302
    assert get_user(app).time_zone == "Asia/Tokyo"
    html = user_client.get("/profile").text
    assert selected_zone(html) == "Asia/Tokyo"
    assert "Times on every page are shown in this zone." in html


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "asia/tokyo", "localtime", "x" * 300])
def test_an_unknown_zone_is_refused_with_a_message(app, user_client, name):
    save_profile(user_client, "Europe/Paris")
    response = save_profile(user_client, name)
    assert response.status_code == 422
    assert "Choose a time zone from the list, such as Europe/London." in response.text
    assert get_user(app).time_zone == "Europe/Paris"


def test_until_chosen_times_follow_the_browser_and_a_choice_can_be_taken_back(app, user_client):
    user_client.set_cookie("tz", "America/New_York")
    html = user_client.get("/profile").text
    assert selected_zone(html) == ""  # "My browser's time zone"
    assert "Your browser reports America/New_York, so times are shown in that zone." in html
    assert get_user(app).time_zone is None
    save_profile(user_client, "Asia/Tokyo")
    assert get_user(app).time_zone == "Asia/Tokyo"
    assert save_profile(user_client, "").status_code == 302  # back to following the browser
    assert get_user(app).time_zone is None
    assert selected_zone(user_client.get("/profile").text) == ""


def test_without_a_browser_zone_times_are_in_utc(app, user_client):
    html = user_client.get("/profile").text
    assert selected_zone(html) == ""
    assert "Times are shown in UTC until your browser tells us its zone or you choose one" in html
    attempt_id = submitted_at(app, user_client)
    assert "Submitted 7 Mar 2025, 05:05 UTC." in spaced(
        user_client.get(f"/attempts/{attempt_id}/result").text
    )


@pytest.mark.parametrize("cookie", ["Mars/Olympus_Mons", "<script>", "", "Asia/Tokyo\\"])
def test_a_bad_cookie_is_ignored(app, user_client, cookie):
    user_client.set_cookie("tz", cookie)
    attempt_id = submitted_at(app, user_client)
    assert "Submitted 7 Mar 2025, 05:05 UTC." in spaced(
        user_client.get(f"/attempts/{attempt_id}/result").text
    )
    assert "shown in UTC until" in user_client.get("/profile").text


def test_a_submitted_attempt_shows_its_time_in_the_chosen_zone(app, user_client):
    attempt_id = submitted_at(app, user_client)
    user_client.set_cookie("tz", "America/New_York")
    result = f"/attempts/{attempt_id}/result"
    page = user_client.get(result).text
    assert "Submitted 7 Mar 2025, 00:05 EST." in spaced(page)
    assert "7\u00a0Mar\u00a02025,\u00a000:05\u00a0EST" in page  # never broken across lines
    save_profile(user_client, "Asia/Tokyo")  # the choice wins over the browser's zone
    assert "Submitted 7 Mar 2025, 14:05 JST." in spaced(user_client.get(result).text)
    assert "7 Mar 2025, 14:05 JST" in spaced(user_client.get("/attempts").text)


def test_attempts_on_one_day_are_told_apart_by_their_local_time(app, user_client):
    save_profile(user_client, "Asia/Tokyo")
    submitted_at(app, user_client, MOMENT)
    submitted_at(app, user_client, MOMENT.replace(hour=9, minute=40))
    html = spaced(user_client.get("/attempts").text)
    assert "7 Mar 2025, 14:05 JST" in html
    assert "7 Mar 2025, 18:40 JST" in html


def test_a_day_is_the_day_in_the_person_zone(app, user_client):
    """A token made at 20:00 UTC on 7 March was made on 8 March in Tokyo."""
    save_profile(user_client, "Asia/Tokyo")
    user_client.post("/profile/tokens", data={"token-name": "sync", "token-expires": "never"})
    with app.app_context():
        db.session.execute(
            sa.text("UPDATE api_tokens SET created_at = :at"), {"at": MOMENT.replace(hour=20)}
        )
        db.session.commit()
    assert '<td data-label="Created">8 Mar 2025</td>' in spaced(user_client.get("/profile").text)


@pytest.mark.parametrize("stamp", ["2025-03-07T14:05:00+09:00", "2025-03-07T05:05:00"])
def test_the_import_preview_shows_when_the_export_was_made_in_the_person_zone(
    app, user_client, stamp
):
    """An export's time in any offset, or none (taken as UTC), on the person's clock."""
    save_profile(user_client, "Asia/Tokyo")
    exported = json.loads(user_client.get("/export.json").data)
    assert exported["profile"]["time_zone"] == "Asia/Tokyo"
    exported["exported_at"] = stamp
    preview = upload(user_client, json.dumps(exported).encode(), confirm=False)
    assert "7 Mar 2025, 14:05 JST." in spaced(preview.text)


def test_a_lock_out_says_when_on_the_browser_clock(app, make_user):
    make_user()
    client = limited_app(app, LOGIN_LIMIT_ACCOUNT="1 per minute").test_client()
    client.set_cookie("tz", "Asia/Tokyo")
    login(client, password="wrong password!")
    page = login(client, password="wrong again, sadly").text
    assert re.search(r"Try again in \d+ seconds \(at \d\d:\d\d JST\)", spaced(page))


def test_today_is_the_persons_own_day_for_milestones(app, user_client):
    """Far east or west of UTC, "today" is another day than the server's: a certificate earned
    today where the person is is not "in the future", and the server's today may be."""
    now = datetime.now(UTC)
    zone = "Pacific/Kiritimati" if now.hour >= 10 else "Pacific/Pago_Pago"  # UTC+14 / UTC-11
    with app.app_context():
        db.session.execute(sa.update(User).values(time_zone=zone))
        db.session.commit()
    local_today = datetime.now(ZoneInfo(zone)).date()
    assert local_today != now.date()
    earned = user_client.post(
        "/milestones/certifications/new", data={"name": "CPIM", "earned_on": str(local_today)}
    )
    assert earned.status_code == 302
    if local_today < now.date():
        refused = user_client.post(
            "/milestones/certifications/new", data={"name": "APICS", "earned_on": str(now.date())}
        )
        assert refused.status_code == 422


def test_the_report_dates_attempts_by_the_persons_day(app, user_client):
    now = datetime.now(UTC)
    zone = "Pacific/Kiritimati" if now.hour >= 10 else "Pacific/Pago_Pago"
    with app.app_context():
        db.session.execute(sa.update(User).values(time_zone=zone))
        db.session.commit()
    attempt_id = start(user_client)
    answer_all(user_client, app, attempt_id)
    user_client.post(f"/attempts/{attempt_id}/submit")
    local_day = datetime.now(ZoneInfo(zone)).date()
    page = user_client.get("/report").get_data(as_text=True)
    assert dated(local_day) in page
    assert dated(now.date()) not in page
