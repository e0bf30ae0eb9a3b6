"""Feedback from raters through the real stack: invitations, the rater's form without an account,
anonymity thresholds, closing a round, and what the owner then sees."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.catalogue import catalogue
from app.extensions import db
from app.models import FeedbackInvitation, FeedbackOptOut, FeedbackRating, FeedbackRound, User
from app.services.feedback import rater_skills
from tests.conftest import PASSWORD, login, make_config
from tests.web.quiz_helpers import answer_all, start
from tests.web.test_api import Api, token_for
from tests.web.test_security import limited_app

ROLE = "production-manager"


def skills(app: Flask) -> list:
    with app.app_context():
        return list(rater_skills(catalogue().roles[ROLE]))


def invite(client: FlaskClient, relationship: str, label: str, **extra: str) -> str:
    """Make a link invitation; returns the rater's path (/r/<secret>)."""
    response = client.post(
        "/feedback", data={"relationship": relationship, "label": label, **extra}
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    match = re.search(
        r'id="rater-url" type="text" readonly value="http://localhost(/r/[^"]+)"',
        response.get_data(as_text=True),
    )
    assert match
    return match.group(1)


def rate(app: Flask, path: str, level: int, comment: str = "", submit: bool = True) -> None:
    """Answer every item of every skill at `level` from a fresh browser without an account."""
    rater = app.test_client()
    assert rater.get(path).status_code == 200
    for rs in skills(app):
        data = {f"item_{i}": str(level) for i in range(len(rs.items))}
        data["comment"] = comment
        response = rater.post(f"{path}/skills/{rs.skill.id}", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)
    if submit:
        assert rater.post(f"{path}/review").status_code == 302


def close(client: FlaskClient) -> str:
    response = client.post("/feedback/close", follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def with_closed_feedback_round(app: Flask) -> None:
    """Ada (already registered) gets a closed round: a manager and three peers answered."""
    client = app.test_client()
    assert login(client).status_code == 302
    for relationship, level in (("manager", 2), ("peer", 3), ("peer", 4), ("peer", 5)):
        rate(app, invite(client, relationship, f"{relationship} {level}"), level, "An example")
    close(client)


@pytest.fixture
def owner(app: Flask, user_client: FlaskClient) -> FlaskClient:
    """Ada (Production Manager) with her own self-ratings: level 5 on scheduling's items."""
    attempt_id = start(user_client, "skill.production-scheduling")
    answer_all(user_client, app, attempt_id, right=True)
    assert user_client.post(f"/attempts/{attempt_id}/submit").status_code == 302
    return user_client


def test_the_page_explains_and_invites_by_link(app: Flask, user_client: FlaskClient) -> None:
    page = user_client.get("/feedback").get_data(as_text=True)
    assert "at least 3" in page
    assert "Production Manager" in page
    path = invite(user_client, "peer", "Sam")
    page = user_client.get("/feedback").get_data(as_text=True)
    assert "Sam" in page
    assert "link made" in page
    with app.app_context():
        stored = db.session.scalar(sa.select(FeedbackInvitation))
        assert stored.token_hash != path.rsplit("/", 1)[1]  # only the hash is kept
        assert stored.email is None


def test_the_rater_form_saves_as_it_goes_and_thanks_after_submit(
    app: Flask, user_client: FlaskClient
) -> None:
    path = invite(user_client, "manager", "Grace", note="Working on my planning this year.")
    rater = app.test_client()
    start_page = rater.get(path).get_data(as_text=True)
    assert "Ada" in start_page
    assert "Log in" not in start_page  # no account of theirs: no navigation into one
    assert "Sign up" not in start_page
    assert "Production Manager" in start_page
    assert "shown to Ada as their manager" in start_page
    assert "Working on my planning this year." in start_page
    first = skills(app)[0]
    page = rater.get(f"{path}/skills/{first.skill.id}").get_data(as_text=True)
    assert first.items[0].observed.levels[3] in page
    assert "Not observed" in page
    assert first.items[0].levels[3] not in page  # the first-person text is the person's own
    saved = rater.post(
        f"{path}/skills/{first.skill.id}",
        data={"item_0": "4", "item_1": "none", "comment": "Plans well ahead."},
        headers={"Accept": "application/json"},
    )
    assert saved.status_code == 200
    assert saved.get_json() == {"saved": True}
    again = rater.get(f"{path}/skills/{first.skill.id}").get_data(as_text=True)
    assert re.search(r'checked id="item_0-3"|id="item_0-3"[^>]*checked', again)
    assert "Plans well ahead." in again
    assert rater.post(f"{path}/review").status_code == 302
    thanks = rater.get(path)
    assert thanks.status_code == 200
    assert "Thank you" in thanks.get_data(as_text=True)
    late = rater.post(f"{path}/skills/{first.skill.id}", data={"item_0": "1"})
    assert "Thank you" in late.get_data(as_text=True)
    with app.app_context():
        levels = dict(
            db.session.execute(sa.select(FeedbackRating.item_id, FeedbackRating.level)).all()
        )
    assert levels == {first.items[0].id: 4, first.items[1].id: None}


def test_bad_answers_are_refused_with_a_message(app: Flask, user_client: FlaskClient) -> None:
    path = invite(user_client, "peer", "Sam")
    skill_id = skills(app)[0].skill.id
    response = app.test_client().post(f"{path}/skills/{skill_id}", data={"item_0": "9"})
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert app.test_client().get(f"{path}/skills/no-such-skill").status_code == 404
    assert app.test_client().get("/r/not-a-real-secret").status_code == 404


def test_five_raters_four_answer_named_shown_small_peer_group_hidden(
    app: Flask, owner: FlaskClient
) -> None:
    manager = invite(owner, "manager", "Grace")
    peers = [invite(owner, "peer", f"Peer {n}") for n in range(3)]
    mentor = invite(owner, "mentor", "Lin")
    rate(app, manager, 2, comment="Manager comment")
    rate(app, mentor, 3, comment="Mentor comment")
    rate(app, peers[0], 4, comment="Peer secret one")
    rate(app, peers[1], 1, comment="Peer secret two")
    before = owner.get("/feedback").get_data(as_text=True)
    assert "Manager comment" not in before  # nothing shows while the round is open
    page = close(owner)
    assert "Manager comment" in page
    assert "Mentor comment" in page
    assert "Peer secret" not in page
    assert '<th scope="col">Peers</th>' not in page
    assert "Blind spot" in page  # own 5 on scheduling, others 2.5
    scheduling = catalogue_name(app, "production-scheduling")
    assert re.search(rf"Blind spot</span> {scheduling}", page)
    assert "Next step:" in page
    report = owner.get(f"/report/{ROLE}").get_data(as_text=True)
    assert "Peer secret" not in report
    assert "Manager comment" in report


def catalogue_name(app: Flask, skill_id: str) -> str:
    with app.app_context():
        return catalogue().skills[skill_id].name


def test_three_peers_are_shown_as_a_group(app: Flask, owner: FlaskClient) -> None:
    peers = [invite(owner, "peer", f"Peer {n}") for n in range(3)]
    for path, level in zip(peers, (2, 3, 4), strict=True):
        rate(app, path, level, comment=f"Peer said {level}")
    page = close(owner)
    assert '<th scope="col">Peers</th>' in page
    assert "3.0" in page
    assert "Peer said 2" in page
    assert "Peer said 4" in page


def test_an_open_round_shows_counts_only_and_links_end_when_closed(
    app: Flask, user_client: FlaskClient
) -> None:
    path = invite(user_client, "peer", "Sam")
    rate(app, path, 3, submit=False)
    page = user_client.get("/feedback").get_data(as_text=True)
    assert "0 of 1 answered" in page
    close(user_client)
    gone = app.test_client().get(path)
    assert gone.status_code == 410
    assert "closed" in gone.get_data(as_text=True)


def test_revoke_and_extend(app: Flask, user_client: FlaskClient) -> None:
    path = invite(user_client, "peer", "Sam")
    with app.app_context():
        invitation = db.session.scalar(sa.select(FeedbackInvitation))
        first_expiry = invitation.expires_at
        invitation_id = invitation.id
    assert user_client.post(f"/feedback/invitations/{invitation_id}/extend").status_code == 302
    with app.app_context():
        assert db.session.get(FeedbackInvitation, invitation_id).expires_at > first_expiry
    confirm = user_client.get(f"/feedback/invitations/{invitation_id}/revoke")
    assert "Revoke the invitation of Sam?" in confirm.get_data(as_text=True)
    assert app.test_client().get(path).status_code == 200  # asking changed nothing
    assert user_client.post(f"/feedback/invitations/{invitation_id}/revoke").status_code == 302
    assert app.test_client().get(path).status_code == 410
    stale = user_client.post(f"/feedback/invitations/{invitation_id}/extend")
    assert stale.status_code == 404
    assert "can still be changed" in stale.text
    assert 'href="/feedback">Back to your feedback page' in stale.text


def test_a_link_lost_before_it_was_passed_on_can_be_replaced(
    app: Flask, user_client: FlaskClient
) -> None:
    old = invite(user_client, "peer", "Sam")
    page = user_client.get("/feedback").text
    invitation_id = re.search(r"/feedback/invitations/(\d+)/new-link", page).group(1)
    once = re.search(r'new-link" class="inline-form">.*?name="once" value="([^"]+)"', page)
    data = {"once": once.group(1)}
    made = user_client.post(f"/feedback/invitations/{invitation_id}/new-link", data=data)
    assert made.status_code == 201
    assert "The link made before no longer works." in " ".join(made.text.split())
    new = re.search(
        r'id="rater-url" type="text" readonly value="http://localhost(/r/[^"]+)"', made.text
    )
    rater = app.test_client()
    assert rater.get(old).status_code == 404
    assert rater.get(new.group(1)).status_code == 200  # opened now: no more new links
    again = user_client.post(f"/feedback/invitations/{invitation_id}/new-link", data=data)
    assert again.status_code == 404
    assert "New link" not in user_client.get("/feedback").text
    assert rater.get(new.group(1)).status_code == 200


def test_someone_elses_invitation_cannot_be_touched(
    app: Flask, user_client: FlaskClient, make_user
) -> None:
    invite(user_client, "peer", "Samuel Pepys")
    with app.app_context():
        invitation_id = db.session.scalar(sa.select(FeedbackInvitation.id))
    make_user("eve@example.com", "Eve", role=ROLE)
    eve = app.test_client()
    login(eve, "eve@example.com", PASSWORD)
    assert eve.post(f"/feedback/invitations/{invitation_id}/revoke").status_code == 404
    assert "Samuel Pepys" not in eve.get("/feedback").get_data(as_text=True)


def test_the_owner_cannot_answer_their_own_request(app: Flask, user_client: FlaskClient) -> None:
    path = invite(user_client, "peer", "Sam")
    response = user_client.get(path)
    assert response.status_code == 403
    assert "your own feedback request" in response.get_data(as_text=True)


def test_a_draft_is_seen_only_in_the_browser_that_saved_it(
    app: Flask, user_client: FlaskClient
) -> None:
    """The owner made the link, so she holds it: opened logged out (another browser), it must
    not show, change or submit the peer's saved answers before they submit."""
    path = invite(user_client, "peer", "Quinn")
    first = skills(app)[0]
    skill_path = f"{path}/skills/{first.skill.id}"
    quinn = app.test_client()
    assert quinn.get(path).status_code == 200
    saved = quinn.post(skill_path, data={"item_0": "1", "comment": "QUINN-SECRET"})
    assert saved.status_code == 302

    peeker = app.test_client()  # the owner in a private window, or anyone the link reached
    for page in (path, skill_path, f"{path}/review"):
        response = peeker.get(page)
        assert response.status_code == 409
        body = response.get_data(as_text=True)
        assert "started in another browser" in body
        assert "QUINN-SECRET" not in body
        assert "checked" not in body
    assert peeker.post(skill_path, data={"item_0": "5"}).status_code == 409
    autosave = peeker.post(skill_path, data={"item_0": "5"}, headers={"Accept": "application/json"})
    assert autosave.status_code == 409
    assert autosave.get_json()["saved"] is False
    assert peeker.post(f"{path}/review").status_code == 409
    with app.app_context():
        invitation = db.session.scalar(sa.select(FeedbackInvitation))
        assert invitation.submitted_at is None
        levels = db.session.scalars(sa.select(FeedbackRating.level)).all()
    assert levels == [1]  # Quinn's answer, untouched

    # Quinn carries on in her browser; her answers are there, and an old tab of hers sending
    # "start again" deletes nothing of her own.
    assert quinn.post(f"{path}/start-again").status_code == 302
    again = quinn.get(skill_path).get_data(as_text=True)
    assert "QUINN-SECRET" in again

    # Starting again elsewhere deletes the draft (never shows it) and moves the link.
    assert peeker.post(f"{path}/start-again").status_code == 302
    fresh = peeker.get(skill_path)
    assert fresh.status_code == 200
    assert "QUINN-SECRET" not in fresh.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(sa.select(FeedbackRating.level)).all() == []
    assert quinn.get(skill_path).status_code == 409

    # Submitted, the link only thanks, and whose browser it was is forgotten.
    assert peeker.post(f"{path}/review").status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(FeedbackInvitation.device_hash)) is None


def test_a_bad_skill_address_does_not_count_as_opened(app: Flask, user_client: FlaskClient) -> None:
    path = invite(user_client, "peer", "Sam")
    assert app.test_client().get(f"{path}/skills/nope").status_code == 404
    with app.app_context():
        assert db.session.scalar(sa.select(FeedbackInvitation.opened_at)) is None
    assert app.test_client().get(path).status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(FeedbackInvitation.opened_at)) is not None


def test_expired_links_say_so(app: Flask, user_client: FlaskClient) -> None:
    path = invite(user_client, "peer", "Sam")
    with app.app_context():
        db.session.execute(
            sa.update(FeedbackInvitation).values(expires_at=sa.func.current_timestamp())
        )
        db.session.commit()
    response = app.test_client().get(path)
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)


def test_invalid_invitations_are_refused(app: Flask, user_client: FlaskClient) -> None:
    refused = user_client.post("/feedback", data={"relationship": "boss", "label": ""})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Give the invitation a name" in text
    assert "Not a valid choice" in text
    own = user_client.post(
        "/feedback", data={"relationship": "peer", "label": "Me", "email": "ada@example.com"}
    )
    assert own.status_code == 422
    assert "Ask someone else" in own.get_data(as_text=True)


def test_without_a_target_role_the_page_asks_for_one(
    app: Flask, client: FlaskClient, make_user
) -> None:
    make_user()
    login(client)
    page = client.get("/feedback").get_data(as_text=True)
    assert "target role" in page
    assert '<form method="post" action="/feedback"' not in page


def test_mail_names_who_asked_and_opt_out_stops_more_requests(
    app: Flask, ada: FlaskClient, inbox
) -> None:
    login(ada)
    response = ada.post(
        "/feedback",
        data={"relationship": "peer", "label": "Sam", "email": "Sam@Example.com", "note": "Hi"},
    )
    assert response.status_code == 302
    [message] = inbox.to("sam@example.com")
    assert message["Subject"] == "Ada asks for your feedback on ProdReady"
    text = inbox.text(message)
    assert "Hi" in text
    links = re.findall(r"http://localhost(/r/\S+)", text)
    form_path, opt_out_path = links[0], next(p for p in links if p.endswith("/opt-out"))
    rater = ada.application.test_client()
    assert rater.get(form_path).status_code == 200
    assert "Don't ask me again" in rater.get(opt_out_path).get_data(as_text=True)
    with ada.application.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedbackOptOut)) == 0
    done = rater.post(opt_out_path).get_data(as_text=True)
    assert "will not be sent feedback requests" in done
    again = ada.post(
        "/feedback",
        data={"relationship": "peer", "label": "Sam", "email": "sam@example.com"},
    )
    assert again.status_code == 422
    assert "asked not to receive" in again.get_data(as_text=True)
    with ada.application.app_context():
        stored = db.session.scalar(sa.select(FeedbackOptOut.email_hash))
    assert "sam" not in stored


def test_a_form_sent_twice_makes_one_invitation_and_one_mail(
    app: Flask, ada: FlaskClient, inbox
) -> None:
    login(ada)
    once = re.search(
        r'name="once" type="hidden" value="([^"]+)"', ada.get("/feedback").get_data(as_text=True)
    ).group(1)
    by_link = {"relationship": "peer", "label": "Sam", "once": once}
    first = ada.post("/feedback", data=by_link)
    again = ada.post("/feedback", data=by_link)  # a reload of the page that shows the link
    assert (first.status_code, again.status_code) == (201, 201)
    link = re.search(r'id="rater-url" type="text" readonly value="([^"]+)"', first.text).group(1)
    assert link in again.text
    other = re.search(
        r'name="once" type="hidden" value="([^"]+)"', ada.get("/feedback").get_data(as_text=True)
    ).group(1)
    by_mail = {"relationship": "mentor", "label": "Lin", "email": "lin@example.com", "once": other}
    assert ada.post("/feedback", data=by_mail).status_code == 302
    assert ada.post("/feedback", data=by_mail).status_code == 302  # a double click
    assert len(inbox.to("lin@example.com")) == 1
    # Back, correct the address, send again: a new invitation, mailed to the right one.
    fixed = {**by_mail, "email": "lin.chen@example.com"}
    assert ada.post("/feedback", data=fixed).status_code == 302
    assert len(inbox.to("lin.chen@example.com")) == 1
    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(FeedbackInvitation))
    assert count == 3
    page = ada.get("/feedback").get_data(as_text=True)
    invitation_id = re.search(r"/feedback/invitations/(\d+)/revoke", page).group(1)
    assert ada.post(f"/feedback/invitations/{invitation_id}/revoke").status_code == 302
    resent = ada.post("/feedback", data=by_link)
    assert resent.status_code == 409
    assert "has since been revoked" in resent.text
    assert app.test_client().get(link.removeprefix("http://localhost")).status_code == 410


def test_closing_erases_addresses_and_names_and_deleting_the_account_everything(
    app: Flask, ada: FlaskClient, inbox
) -> None:
    login(ada)
    ada.post(
        "/feedback",
        data={
            "relationship": "peer",
            "label": "Sam",
            "email": "sam@example.com",
            "note": "Thanks, Sam",
        },
    )
    close(ada)
    with app.app_context():
        invitation = db.session.scalar(sa.select(FeedbackInvitation))
        # Nothing that names the rater stays beside their ratings once the round is over.
        assert (invitation.email, invitation.label, invitation.note) == (None, "", "")
    response = ada.post("/profile/delete", data={"current_password": PASSWORD, "understood": "y"})
    assert response.status_code == 302
    with app.app_context():
        for model in (User, FeedbackRound, FeedbackInvitation):
            assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0


def test_a_new_round_after_closing_and_change_over_time(app: Flask, owner: FlaskClient) -> None:
    first = invite(owner, "manager", "Grace")
    rate(app, first, 2)
    close(owner)
    second = invite(owner, "manager", "Grace")
    rate(app, second, 4)
    page = close(owner)
    assert "Change over time" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedbackRound)) == 2


def everything_the_owner_can_read(app: Flask, owner: FlaskClient) -> list[str]:
    """Every page, export, API response and share link that could carry feedback."""
    api = Api(app, token_for(app))
    share = owner.post(
        f"/report/{ROLE}/share", data={"expires": "30", "include_feedback": "y"}
    ).get_data(as_text=True)
    shared_path = re.search(r'value="http://localhost(/shared/[^"]+)"', share).group(1)
    return [
        owner.get("/feedback").get_data(as_text=True),
        owner.get(f"/report/{ROLE}").get_data(as_text=True),
        owner.get("/export.json").get_data(as_text=True),
        owner.get("/export.csv").get_data(as_text=True),
        api.get("/api/v1/feedback").get_data(as_text=True),
        api.get("/api/v1/export").get_data(as_text=True),
        app.test_client().get(shared_path).get_data(as_text=True),
    ]


def test_no_single_rater_can_be_recovered(app: Flask, owner: FlaskClient) -> None:
    """The attack of issue 25: peers at the threshold, direct reports one short of it, and
    figures compared over time. Direct reports' answers must appear nowhere, the others' mean
    must be the peers' alone, and nothing may change while raters answer (so no difference of
    two aggregates can isolate the rater who answered in between)."""
    peers = [invite(owner, "peer", f"Peer {n}") for n in range(3)]
    reports = [invite(owner, "direct_report", f"Report {n}") for n in range(3)]
    for path, level in zip(peers[:2], (2, 4), strict=True):
        rate(app, path, level, comment=f"peer view {level}")
    rate(app, reports[0], 1, comment="report view alpha")
    before = everything_the_owner_can_read(app, owner)
    rate(app, peers[2], 3, comment="peer view 3")
    rate(app, reports[1], 1, comment="report view beta")
    after = everything_the_owner_can_read(app, owner)
    for page in before + after:
        assert "peer view" not in page
        assert "report view" not in page
    api = Api(app, token_for(app))
    assert api.get("/api/v1/feedback").get_json() == {"rounds": []}
    close(owner)
    for page in everything_the_owner_can_read(app, owner):
        assert "report view" not in page
    [closed] = api.get("/api/v1/feedback").get_json()["rounds"]
    groups = {g["group"]: g for g in closed["groups"]}
    assert groups["peer"] == {"group": "peer", "answers": 3, "shown": True}
    assert groups["direct_report"] == {"group": "direct_report", "answers": 2, "shown": False}
    for skill in closed["skills"]:
        assert skill["by_group"] == {"peer": 3.0}
        assert skill["others"] == 3.0
        assert skill["others_raters"] == 3
        assert "comments" not in skill  # aggregates only: comments stay on the owner's page
    export = owner.get("/export.json").get_json()
    assert export["feedback_rounds"] == [closed]


def shared_page(app: Flask, owner: FlaskClient, slug: str = ROLE, **form: str) -> str:
    """The page a share link of `slug`'s report shows (made with `form`'s choices)."""
    made = owner.post(f"/report/{slug}/share", data={"expires": "30", **form}).text
    path = re.search(r'value="http://localhost(/shared/[^"]+)"', made).group(1)
    return app.test_client().get(path).text


def feedback_section(page: str) -> str:
    """The report's "Feedback from others" section ("" when there is none)."""
    found = re.search(r'<section aria-labelledby="feedback-heading">.*?</section>', page, re.S)
    return html.unescape(found.group(0)) if found else ""


def test_a_share_link_carries_aggregates_only_and_only_when_ticked(
    app: Flask, owner: FlaskClient
) -> None:
    """The manager's 1 and every comment stay on Ada's own page; the link shows the peers' mean
    (3, 4, 5: 4.0) as the all-raters mean, and the gap from it."""
    rate(app, invite(owner, "manager", "Grace"), 1, comment="Seen in the Monday meeting")
    for level in (3, 4, 5):
        rate(app, invite(owner, "peer", f"Peer {level}"), level, comment=f"Peer says {level}")
    close(owner)
    assert feedback_section(shared_page(app, owner)) == ""
    own_page = owner.get(f"/report/{ROLE}").text
    assert "Seen in the Monday meeting" in own_page
    assert '<th scope="col">Manager</th>' in own_page
    shown = feedback_section(shared_page(app, owner, include_feedback="y"))
    assert "Seen in the Monday meeting" not in shown
    assert "Peer says" not in shown
    assert "Manager" not in shown.split("Aggregates only")[1]  # named only in the counts line
    assert ">1.0</td>" not in shown
    assert '<th scope="col">Peers</th>' in shown
    assert '<td data-label="Peers">4.0</td>' in shown
    assert '<td data-label="All raters">4.0</td>' in shown
    scheduling = catalogue_name(app, "production-scheduling")  # Ada's own 5, the raters' 4
    assert f"Blind spot</span> {scheduling}: raters rate it 1.0 level below Ada's own rating" in (
        shown
    )
    assert "mean of Ada's latest self-ratings for the skill;" in shown
    assert "Next step:" not in shown


def test_invitations_are_rate_limited_per_account(app: Flask, make_user) -> None:
    limited = limited_app(app, FEEDBACK_INVITE_LIMIT_ACCOUNT="2 per day")
    make_user(role=ROLE)
    client = limited.test_client()
    login(client)
    assert client.post("/feedback", data={"relationship": "peer"}).status_code == 422
    first = {"relationship": "peer", "label": "P0", "once": "a" * 22}
    assert client.post("/feedback", data=first).status_code == 201
    assert client.post("/feedback", data=first).status_code == 201  # the same link: not counted
    made = client.post("/feedback", data={"relationship": "peer", "label": "P1"})
    assert made.status_code == 201
    assert "Retry-After" not in made.headers  # a success asks nobody to wait
    refused = client.post("/feedback", data={"relationship": "peer", "label": "P3"})
    assert refused.status_code == 429
    assert 86000 < int(refused.headers["Retry-After"]) <= 86400
    # The limit in words, and a time tomorrow with its day (not "in 1433 minutes (at 18:40)").
    message = " ".join(refused.get_data(as_text=True).split())
    assert "this can be done at most 2 times a day" in message
    assert re.search(
        r"Try again in about 2[34] hours \(at \d{1,2}\W\w{3}\W\d{4}, \d\d:\d\d UTC\)", message
    )


def test_a_paused_rater_is_told_when_to_retry_and_autosave_gets_json(app: Flask, make_user) -> None:
    limited = limited_app(app, RATER_LIMIT_IP="2 per minute")
    make_user(role=ROLE)
    owner_client = limited.test_client()
    login(owner_client)
    path = invite(owner_client, "peer", "Sam")
    skill_id = skills(limited)[0].skill.id
    rater = limited.test_client()
    for _ in range(2):
        assert rater.get(path).status_code == 200
        assert rater.get(f"{path}/skills/{skill_id}").status_code == 200
    page = rater.get(path)
    assert page.status_code == 429
    assert "Try again in" in page.get_data(as_text=True)
    assert "Everything you saved is kept" in page.text  # in the rater's own layout
    assert "Log in" not in page.text
    assert page.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert "Retry-After" in page.headers
    autosave = rater.post(
        f"{path}/skills/{skill_id}", data={"item_0": "4"}, headers={"Accept": "application/json"}
    )
    assert autosave.status_code == 429
    assert autosave.get_json()["saved"] is False
    assert "Try again in" in autosave.get_json()["error"]


def test_the_threshold_cannot_be_set_below_three(app: Flask) -> None:
    with pytest.raises(RuntimeError, match="FEEDBACK_MIN_GROUP"):
        create_app(make_config(app.config["SQLALCHEMY_DATABASE_URI"], FEEDBACK_MIN_GROUP=2))


def test_dont_ask_me_again_works_after_the_round_closed(
    app: Flask, ada: FlaskClient, inbox
) -> None:
    login(ada)
    ada.post("/feedback", data={"relationship": "peer", "label": "Sam", "email": "sam@example.com"})
    opt_out_path = next(
        p
        for p in re.findall(r"http://localhost(/r/\S+)", inbox.text(inbox.to("sam@example.com")[0]))
        if p.endswith("/opt-out")
    )
    close(ada)
    rater = ada.application.test_client()
    assert "Don't ask me again" in rater.get(opt_out_path).get_data(as_text=True)
    assert "will not be sent" in rater.post(opt_out_path).get_data(as_text=True)
    again = ada.post(
        "/feedback", data={"relationship": "peer", "label": "S", "email": "SAM@example.com"}
    )
    assert again.status_code == 422


def test_the_dashboard_says_where_feedback_stands(app: Flask, user_client: FlaskClient) -> None:
    assert "Ask for feedback" in user_client.get("/dashboard").text
    grace = invite(user_client, "manager", "Grace")
    page = " ".join(user_client.get("/dashboard").text.split())
    assert "A round is open: <strong>0 of 1</strong> rater has answered." in page
    rate(app, grace, 4)
    invite(user_client, "peer", "Sam")
    page = " ".join(user_client.get("/dashboard").text.split())
    assert "A round is open: <strong>1 of 2</strong> raters has answered." in page
    close(user_client)
    page = " ".join(user_client.get("/dashboard").text.split())
    assert "Your last round closed on" in page
    assert 'href="/feedback#results">See the results</a>' in page


def test_a_request_begun_before_the_round_closed_saves_and_submits_nothing(
    app: Flask, user_client: FlaskClient
) -> None:
    """A save or submission checked before the owner closed the round and written after it
    would change results already shown (and, from the owner's browser, hand in someone's
    draft): the check is made again once the write holds the invitation."""
    from app.services import feedback as service

    path = invite(user_client, "peer", "Sam")
    first = skills(app)[0]
    with app.test_request_context(method="POST"):  # as a rater's save or submission
        view = service.find_invitation(path.rsplit("/", 1)[1])  # checked: still open
        service.check_answerable(view)
        close(user_client)  # the owner closes the round meanwhile
        with pytest.raises(service.LinkGoneError):
            service.save_skill(view, service.new_device_key(), first, {first.items[0].id: 4}, "")
        with pytest.raises(service.LinkGoneError):
            service.submit(view, service.new_device_key())
        invitation = db.session.scalar(sa.select(FeedbackInvitation))
        assert (invitation.submitted_at, invitation.device_hash) == (None, None)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedbackRating)) == 0
