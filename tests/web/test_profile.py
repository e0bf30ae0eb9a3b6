"""Choosing a target role and editing the profile."""

from __future__ import annotations

from tests.conftest import PASSWORD, get_user, login


def test_choose_role_saves_it(app, client, make_user):
    make_user()
    login(client)
    response = client.post("/choose-role", data={"target_role": "head-of-production"})
    assert response.status_code == 302
    assert get_user(app).target_role == "head-of-production"
    assert b"Head of Production" in client.get("/dashboard").data


def test_choose_unknown_role_is_a_form_error(app, client, make_user):
    make_user(role="production-manager")
    login(client)
    response = client.post("/choose-role", data={"target_role": "astronaut"})
    assert response.status_code == 422
    assert get_user(app).target_role == "production-manager"


def test_dashboard_without_role_says_what_to_do_first(client, make_user):
    make_user()
    login(client)
    assert b"First, choose your target role" in client.get("/dashboard").data


def test_profile_changes_name_and_role(app, user_client):
    response = user_client.post(
        "/profile",
        data={
            "profile-display_name": "Ada L.",
            "profile-target_role": "chief-production-officer",
            "profile-submit": "Save profile",
        },
    )
    assert response.status_code == 302
    user = get_user(app)
    assert (user.display_name, user.target_role) == ("Ada L.", "chief-production-officer")


def test_profile_rejects_empty_name(app, user_client):
    response = user_client.post(
        "/profile",
        data={
            "profile-display_name": "",
            "profile-target_role": "production-manager",
            "profile-submit": "Save profile",
        },
    )
    assert response.status_code == 422
    assert get_user(app).display_name == "Ada"


def _change_password(client, current, new, confirm=None):
    return client.post(
        "/profile/password",
        data={
            "password-current_password": current,
            "password-new_password": new,
            "password-confirm": confirm or new,
            "password-submit": "Change password",
        },
    )


def test_password_change_ends_other_sessions_but_keeps_this_one(app, user_client):
    other = app.test_client()
    login(other)
    assert other.get("/dashboard").status_code == 200
    response = _change_password(user_client, PASSWORD, "a brand new passphrase")
    assert response.status_code == 302
    assert user_client.get("/dashboard").status_code == 200
    assert other.get("/dashboard").status_code == 302
    assert login(app.test_client(), password="a brand new passphrase").status_code == 302
    assert login(app.test_client()).status_code == 422


def test_password_change_needs_the_current_password(app, user_client):
    response = _change_password(user_client, "wrong current password", "a brand new passphrase")
    assert response.status_code == 422
    assert b"That is not your current password." in response.data
    assert login(app.test_client()).status_code == 302


def test_profile_needs_login(client):
    response = client.get("/profile")
    assert response.status_code == 302
    assert "/login?next=%2Fprofile" in response.headers["Location"]


def test_dashboard_shows_readiness_resume_and_next_steps(user_client):
    html = user_client.get("/dashboard").get_data(as_text=True)
    assert "Readiness at a glance" in html
    assert "No quiz in progress." in html
    assert "Take the full Production Manager assessment" in html
    response = user_client.post("/quizzes/skill.leadership/start")
    attempt_url = response.headers["Location"]
    html = user_client.get("/dashboard").get_data(as_text=True)
    assert "You have <strong>Leadership</strong> in progress." in html
    assert f'href="{attempt_url}"' in html
