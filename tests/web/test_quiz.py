"""Taking quizzes end to end: start, resume, answer, submit exactly once, results."""

from __future__ import annotations

import re

import sqlalchemy as sa
from markupsafe import escape

from app.extensions import db
from app.models import Answer, Attempt, AttemptItem, SkillScore
from tests.conftest import login
from tests.web.quiz_helpers import (
    answer,
    answer_all,
    correct_values,
    count,
    questions,
    start,
    start_with,
    wrong_values,
)


def test_quiz_list_shows_full_assessment_and_skills_of_target_role(app, user_client):
    html = user_client.get("/quizzes").get_data(as_text=True)
    assert "Full assessment: Production Manager" in html
    assert "Production scheduling and planning" in html
    assert "Maintenance and reliability" in html
    assert "Marketing" not in html  # not a Production Manager skill
    skills = app.extensions["catalogue"].roles["production-manager"].skills.items
    assert len(skills) == 12
    assert html.count("Not started") == 1 + len(skills)


def test_quiz_list_without_target_role_asks_for_one(client, make_user):
    make_user()
    login(client)
    response = client.get("/quizzes")
    assert response.status_code == 302
    assert response.headers["Location"] == "/choose-role"


def test_start_shows_first_question_with_progress(user_client):
    attempt_id = start(user_client)
    html = user_client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "Question 1 of 9" in html
    assert 'data-answered-count="0">0</span> answered' in html
    assert 'name="answer" type="radio" value="5"' in html


def test_starting_again_resumes_the_attempt_in_progress(app, user_client):
    first = start(user_client)
    assert start(user_client) == first
    assert count(app, Attempt) == 1


def test_answers_are_saved_and_resume_goes_to_first_unanswered(app, user_client):
    attempt_id = start(user_client)
    qs = questions(app, attempt_id)
    response = answer(user_client, attempt_id, 1, correct_values(qs[0]))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/attempts/{attempt_id}?q=2"
    answer(user_client, attempt_id, 2, correct_values(qs[1]))
    html = user_client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "Question 3 of 9" in html
    assert 'data-answered-count="2">2</span> answered' in html
    # Changing an answer replaces it rather than adding a second one.
    answer(user_client, attempt_id, 1, wrong_values(qs[0]))
    assert count(app, Answer, attempt_id=attempt_id) == 2
    assert questions(app, attempt_id)[0].rating == 1


def test_the_question_navigation_shows_every_status_and_the_current_question(app, user_client):
    attempt_id = start(user_client)
    qs = questions(app, attempt_id)
    answer(user_client, attempt_id, 2, correct_values(qs[1]))
    user_client.post(f"/attempts/{attempt_id}/answer", data={"position": "4", "skip": "y"})
    answer(user_client, attempt_id, 5, wrong_values(qs[4]))
    html = user_client.get(f"/attempts/{attempt_id}?q=4").get_data(as_text=True)
    nav = html[html.index('<nav class="question-nav"') :]
    statuses = {
        n: ("answered" if n in (2, 5) else "skipped" if n == 4 else "unanswered")
        for n in range(1, 10)
    }
    for n, status in statuses.items():
        current = 'aria-current="step"' if n == 4 else ""
        link = f'<a href="/attempts/{attempt_id}?q={n}" class="{status}"\n           {current}>'
        assert f'{link}{n}<span class="visually-hidden"> ({status})</span></a>' in nav
    assert "Question 4 of 9" in html
    assert 'data-answered-count="2">2</span> answered' in html
    assert "Skipped for now." in html
    # Without ?q= the page resumes at the first question neither answered nor skipped.
    assert "Question 1 of 9" in user_client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    answer(user_client, attempt_id, 1, correct_values(qs[0]))
    assert "Question 3 of 9" in user_client.get(f"/attempts/{attempt_id}").get_data(as_text=True)


def test_a_question_number_outside_the_attempt_is_404(user_client):
    attempt_id = start(user_client)
    for q in ("0", "10", "-1", str(2**31), "99999999999999999999"):
        assert user_client.get(f"/attempts/{attempt_id}?q={q}").status_code == 404, q
    assert user_client.get(f"/attempts/{attempt_id}?q=9").status_code == 200


def test_the_item_the_form_sends_back_never_changes_what_is_checked_or_saved(app, user_client):
    """The form sends back the item it showed (so the answer can be saved without reading the
    question first); an unknown one only means the question is read after all, and another
    question's means the page is out of date: nothing is saved."""
    attempt_id, choice = start_with(
        user_client, app, lambda q: not q.is_self_rating and q.item.select == "single"
    )
    qs = questions(app, attempt_id)
    rating = next(q for q in qs if q.is_self_rating)
    # The page showed the choice item, but a self-rating is asked here: an old tab's page.
    for values in (correct_values(choice), ["4"]):
        response = answer(user_client, attempt_id, rating.position, values, item=choice.item.id)
        assert response.status_code == 409
        assert "<h1>This page is out of date</h1>" in response.get_data(as_text=True)
        assert "See the question now there" in response.get_data(as_text=True)
    stale = user_client.post(
        f"/attempts/{attempt_id}/answer",
        data={"position": str(rating.position), "answer": "4", "item": choice.item.id},
        headers={"Accept": "application/json"},
    )
    assert stale.status_code == 409
    assert "out of date" in stale.json["error"]
    assert count(app, Answer, attempt_id=attempt_id) == 0
    answer(user_client, attempt_id, rating.position, ["4"], item=rating.item.id)
    cleared_elsewhere = answer(user_client, attempt_id, rating.position, [], item=choice.item.id)
    assert cleared_elsewhere.status_code == 409  # unticking on an old page clears nothing
    assert count(app, Answer, attempt_id=attempt_id) == 1
    # Valid for the question asked, with its own item, an unknown one or none: saved there.
    for hint in (rating.item.id, "no-such-item", ""):
        response = answer(user_client, attempt_id, rating.position, ["4"], item=hint)
        assert response.status_code == 302, hint
    response = answer(user_client, attempt_id, choice.position, correct_values(choice))
    assert response.status_code == 302
    with app.app_context():
        saved = {
            a.attempt_item_id: (a.rating, a.choices, a.credit)
            for a in db.session.scalars(sa.select(Answer).where(Answer.attempt_id == attempt_id))
        }
    assert saved == {
        rating.attempt_item_id: (4, None, 0.75),
        choice.attempt_item_id: (None, ",".join(correct_values(choice)), 1.0),
    }


def test_saved_answer_is_shown_when_revisiting(app, user_client):
    attempt_id = start(user_client)
    answer(user_client, attempt_id, 1, ["4"])
    html = user_client.get(f"/attempts/{attempt_id}?q=1").get_data(as_text=True)
    assert 'checked autofocus id="answer-3" name="answer" type="radio" value="4"' in html


def test_json_autosave(app, user_client):
    attempt_id = start(user_client)
    response = user_client.post(
        f"/attempts/{attempt_id}/answer",
        data={"position": "1", "answer": "3"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.json == {
        "saved": True,
        "position": 1,
        "skipped": False,
        "cleared": False,
        "missing": 0,
    }
    assert questions(app, attempt_id)[0].rating == 3


def test_multiple_choice_answer_keeps_all_choices(app, user_client):
    attempt_id, multi = start_with(user_client, app, lambda q: q.multiple)
    values = correct_values(multi)
    assert len(values) > 1
    answer(user_client, attempt_id, multi.position, values)
    assert sorted(questions(app, attempt_id)[multi.position - 1].chosen) == values


def test_a_multiple_select_question_says_choose_2_on_every_page(app, user_client):
    attempt_id, multi = start_with(user_client, app, lambda q: q.multiple)
    assert multi.item.prompt.endswith(" Choose two.")
    stem = str(escape(multi.item.prompt.removesuffix(" Choose two.")))
    said = f'{stem} <strong class="choose-count">Choose 2.</strong>'
    page = user_client.get(f"/attempts/{attempt_id}?q={multi.position}").get_data(as_text=True)
    assert '<span class="badge">Choose 2</span>' in page
    assert said in page
    assert 'data-choose="2"' in page
    for other in ("Choose two", "Choose all that apply", "at most"):
        assert other not in page
    review = user_client.get(f"/attempts/{attempt_id}/review").get_data(as_text=True)
    assert said in review
    user_client.post(f"/attempts/{attempt_id}/submit", data={"skip_unanswered": "y"})
    result = user_client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert said in result
    assert "Choose two" not in review + result


def test_more_ticks_than_the_stem_asks_for_are_refused_showing_the_saved_answer(app, user_client):
    attempt_id, multi = start_with(user_client, app, lambda q: q.multiple)
    every = [o.id for o in multi.item.options]
    response = answer(user_client, attempt_id, multi.position, every)
    assert response.status_code == 422
    assert "checked" not in response.get_data(as_text=True)  # nothing saved: nothing ticked
    assert count(app, Answer, attempt_id=attempt_id) == 0
    saved = correct_values(multi)
    assert answer(user_client, attempt_id, multi.position, saved).status_code == 302
    three = [*saved, wrong_values(multi)[0]]
    response = answer(user_client, attempt_id, multi.position, three, item=multi.item.id)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Choose 2: you ticked 3. Untick 1, then save again." in html
    assert "Your saved answer, ticked above, has not changed." in html
    assert "Saved." not in html
    ticked = re.findall(r'checked (?:autofocus )?id="answer-\d+" [^>]*value="(\w)"', html)
    assert sorted(ticked) == saved
    assert sorted(questions(app, attempt_id)[multi.position - 1].chosen) == saved


def test_fewer_ticks_than_asked_are_kept_but_the_question_is_not_finished(app, user_client):
    attempt_id, multi = start_with(user_client, app, lambda q: q.choose_count == 2)
    one = correct_values(multi)[:1]
    assert answer(user_client, attempt_id, multi.position, one).status_code == 302
    assert sorted(questions(app, attempt_id)[multi.position - 1].chosen) == one  # kept
    page = user_client.get(f"/attempts/{attempt_id}?q={multi.position}").get_data(as_text=True)
    assert "Saved, but not finished: choose 1 more." in page
    # Autosave's reply says as much, for its status line to say what the page says.
    autosaved = user_client.post(
        f"/attempts/{attempt_id}/answer",
        data={"position": multi.position, "answer": one, "item": multi.item.id},
        headers={"Accept": "application/json"},
    )
    assert autosaved.json["missing"] == 1
    total = len(questions(app, attempt_id))
    for position in range(1, total + 1):
        if position != multi.position:
            answer(user_client, attempt_id, position, [], skip="Skip for now")
    review = user_client.get(f"/attempts/{attempt_id}/review").get_data(as_text=True)
    assert "1 of 2 chosen" in review
    assert f"1 of {total} questions answered, 1 of them not finished." in review
    assert f"/attempts/{attempt_id}?q={multi.position}" in review
    refused = user_client.post(f"/attempts/{attempt_id}/submit", data={})
    assert refused.status_code == 422
    assert f"{total} questions are not finished" in refused.get_data(as_text=True)
    done = user_client.post(f"/attempts/{attempt_id}/submit", data={"skip_unanswered": "y"})
    assert done.status_code == 302


def test_unticking_everything_clears_the_answer(app, user_client):
    attempt_id, multi = start_with(user_client, app, lambda q: q.choose_count == 2)
    answer(user_client, attempt_id, multi.position, correct_values(multi))
    answer(user_client, attempt_id, 1, [], skip="Skip for now")
    response = answer(user_client, attempt_id, multi.position, [], item=multi.item.id)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/attempts/{attempt_id}?q={multi.position}"
    html = user_client.get(response.headers["Location"]).get_data(as_text=True)
    said = f"Nothing is chosen, so question {multi.position} has no answer: choose 2, or skip"
    assert said in html
    assert "checked" not in html
    assert "Saved." not in html
    # Autosave sends the same empty answer; a skip is taken back the same way.
    response = user_client.post(
        f"/attempts/{attempt_id}/answer",
        data={"position": "1"},
        headers={"Accept": "application/json"},
    )
    assert response.json == {
        "saved": True,
        "position": 1,
        "skipped": False,
        "cleared": True,
        "missing": 0,
    }
    assert count(app, Answer, attempt_id=attempt_id) == 0
    qs = questions(app, attempt_id)
    assert qs[0].status == qs[multi.position - 1].status == "unanswered"
    review = user_client.get(f"/attempts/{attempt_id}/review").get_data(as_text=True)
    assert f"0 of {len(qs)} questions answered" in review
    assert f"/attempts/{attempt_id}?q={multi.position}" in review
    # Clearing what was never answered changes nothing; a position outside the attempt is 404.
    assert answer(user_client, attempt_id, 2, []).status_code == 302
    assert answer(user_client, attempt_id, 99, []).status_code == 404
    user_client.post(f"/attempts/{attempt_id}/submit", data={"skip_unanswered": "y"})
    assert answer(user_client, attempt_id, 1, []).status_code == 409


def test_malformed_answers_are_422_and_change_nothing(app, user_client):
    attempt_id = start(user_client)
    qs = questions(app, attempt_id)
    single = next(q for q in qs if not q.is_self_rating and q.item.select == "single")
    answer(user_client, attempt_id, 1, ["3"])
    cases = [
        (1, ["6"], "Choose one of the five levels."),
        (1, ["3", "4"], "Choose one of the five levels."),
        (single.position, ["z"], "not one of this question&#39;s options"),
        (single.position, ["a", "b"], "Choose exactly one answer."),
    ]
    for position, values, message in cases:
        response = answer(user_client, attempt_id, position, values)
        assert response.status_code == 422, (position, values)
        assert message in response.get_data(as_text=True)
    assert questions(app, attempt_id)[0].rating == 3
    assert count(app, Answer, attempt_id=attempt_id) == 1


def test_answer_for_item_not_in_attempt_is_404(user_client):
    attempt_id = start(user_client)
    assert answer(user_client, attempt_id, 99, ["1"]).status_code == 404
    assert answer(user_client, attempt_id, 0, ["1"]).status_code == 404
    assert user_client.get(f"/attempts/{attempt_id}?q=99").status_code == 404


def test_missing_or_bad_position_is_400(user_client):
    attempt_id = start(user_client)
    response = user_client.post(f"/attempts/{attempt_id}/answer", data={"answer": "1"})
    assert response.status_code == 400
    response = user_client.post(
        f"/attempts/{attempt_id}/answer", data={"position": "x", "answer": "1"}
    )
    assert response.status_code == 400


def test_unknown_quiz_is_404(user_client):
    assert user_client.post("/quizzes/skill.juggling/start").status_code == 404


def test_skip_on_purpose_is_recorded(app, user_client):
    attempt_id = start(user_client)
    response = user_client.post(
        f"/attempts/{attempt_id}/answer", data={"position": "1", "skip": "Skip for now"}
    )
    assert response.status_code == 302
    q = questions(app, attempt_id)[0]
    assert q.skipped
    assert not q.answered


def test_submit_lists_unanswered_and_requires_confirmation(app, user_client):
    attempt_id = start(user_client)
    answer(user_client, attempt_id, 1, ["5"])
    review = user_client.get(f"/attempts/{attempt_id}/review").get_data(as_text=True)
    assert "1 of 9 questions answered" in review
    assert f"/attempts/{attempt_id}?q=2" in review
    response = user_client.post(f"/attempts/{attempt_id}/submit", data={})
    assert response.status_code == 422
    assert "8 questions are unanswered" in response.get_data(as_text=True)
    assert count(app, SkillScore) == 0
    response = user_client.post(f"/attempts/{attempt_id}/submit", data={"skip_unanswered": "y"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/attempts/{attempt_id}/result"


def test_perfect_answers_score_100_and_result_shows_explanations(app, user_client):
    attempt_id = start(user_client)
    answer_all(user_client, app, attempt_id, right=True)
    assert user_client.post(f"/attempts/{attempt_id}/submit").status_code == 302
    html = user_client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert 'Overall score: <strong class="big-score">100/100</strong>' in html
    asked = [q for q in questions(app, attempt_id) if not q.is_self_rating]
    for q in asked:
        assert str(escape(q.item.explanation)) in html
    assert "correct answer" in html
    assert "No skill scored below 75" in html


def test_wrong_answers_score_low_and_show_advice(app, user_client):
    attempt_id = start(user_client)
    answer_all(user_client, app, attempt_id, right=False)
    user_client.post(f"/attempts/{attempt_id}/submit")
    with app.app_context():
        score = db.session.scalar(sa.select(SkillScore).where(SkillScore.attempt_id == attempt_id))
        assert (score.self_score, score.knowledge_score, score.combined_score) == (0, 0, 0)
    html = user_client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "Where to focus next" in html
    assert "Build next month&#39;s schedule for one area yourself" in html


def test_double_submit_scores_once(app, user_client):
    attempt_id = start(user_client)
    answer_all(user_client, app, attempt_id)
    first = user_client.post(f"/attempts/{attempt_id}/submit")
    second = user_client.post(f"/attempts/{attempt_id}/submit")
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == f"/attempts/{attempt_id}/result"
    assert count(app, SkillScore, attempt_id=attempt_id) == 1


def test_answering_after_submit_is_409_and_changes_nothing(app, user_client):
    attempt_id = start(user_client)
    answer_all(user_client, app, attempt_id)
    user_client.post(f"/attempts/{attempt_id}/submit")
    before = questions(app, attempt_id)
    response = answer(user_client, attempt_id, 1, ["1"])
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "already been submitted" in html
    assert "the answer just sent was not saved" in html
    assert f'href="/attempts/{attempt_id}/result"' in html  # the way on, not a dead end
    assert questions(app, attempt_id) == before


def test_retake_keeps_every_attempt(app, user_client):
    first = start(user_client)
    answer_all(user_client, app, first, right=False)
    user_client.post(f"/attempts/{first}/submit")
    second = start(user_client)
    assert second != first
    answer_all(user_client, app, second, right=True)
    user_client.post(f"/attempts/{second}/submit")
    assert count(app, Attempt) == 2
    html = user_client.get("/quizzes").get_data(as_text=True)
    assert "Last score: <strong>100/100</strong>" in html
    assert "2 attempts" in html
    history = user_client.get("/attempts").get_data(as_text=True)
    assert "2 attempts, newest first" in history
    assert user_client.get(f"/attempts/{first}/result").status_code == 200


def test_full_assessment_end_to_end(app, user_client):
    attempt_id = start(user_client, "full.production-manager")
    assert len(questions(app, attempt_id)) == 48  # 12 skills, one self-rating and three others
    answer_all(user_client, app, attempt_id)
    user_client.post(f"/attempts/{attempt_id}/submit")
    assert count(app, SkillScore, attempt_id=attempt_id) == 12


def test_another_users_attempt_is_404_everywhere(app, user_client, make_user):
    attempt_id = start(user_client)
    make_user("eve@example.com", "Eve", role="production-manager")
    eve = app.test_client()
    login(eve, "eve@example.com")
    assert eve.get(f"/attempts/{attempt_id}").status_code == 404
    assert eve.get(f"/attempts/{attempt_id}/review").status_code == 404
    assert eve.get(f"/attempts/{attempt_id}/result").status_code == 404
    assert answer(eve, attempt_id, 1, ["5"]).status_code == 404
    assert answer(eve, attempt_id, 1, []).status_code == 404
    assert eve.post(
        f"/attempts/{attempt_id}/submit", data={"skip_unanswered": "y"}
    ).status_code == (404)
    assert count(app, Answer) == 0
    assert user_client.get(f"/attempts/{attempt_id}").status_code == 200


def test_history_is_paginated(app, user_client):
    app.config["ATTEMPTS_PER_PAGE"] = 2
    try:
        for key in ("skill.production-scheduling", "skill.quality-control", "skill.leadership"):
            start(user_client, key)
        page1 = user_client.get("/attempts").get_data(as_text=True)
        assert "Page 1 of 2" in page1
        assert "Leadership" in page1
        page2 = user_client.get("/attempts?page=2").get_data(as_text=True)
        assert "Production scheduling and planning" in page2
        assert user_client.get("/attempts?page=3").status_code == 404
    finally:
        app.config["ATTEMPTS_PER_PAGE"] = 20


def test_quiz_pages_need_login(client):
    assert client.get("/quizzes").status_code == 302
    assert client.get("/attempts/1").status_code == 302


def test_oversized_numbers_are_404_not_500(user_client):
    huge = "9" * 25
    assert user_client.get(f"/attempts/{huge}").status_code == 404
    assert user_client.get(f"/attempts?page={huge}").status_code == 404
    assert user_client.get("/milestones/positions/2147483648/edit").status_code == 404
    attempt_id = start(user_client)
    assert answer(user_client, attempt_id, 2**63, ["1"]).status_code == 404
    assert user_client.get(f"/attempts/{attempt_id}?q={huge}").status_code == 404


def test_back_to_back_skill_quizzes_share_no_knowledge_or_scenario_item(app, user_client):
    asked: list[set[str]] = []
    for _ in range(3):
        attempt_id = start(user_client, "skill.risk-management")
        asked.append({q.item.id for q in questions(app, attempt_id) if not q.is_self_rating})
        user_client.post(f"/attempts/{attempt_id}/submit", data={"skip_unanswered": "y"})
    assert [len(a) for a in asked] == [6, 6, 6]
    assert not asked[0] & asked[1]
    # 16 items in the pool: the third quiz takes the last 4 unseen and 2 seen longest ago.
    assert len(asked[2] - asked[0] - asked[1]) == 4
    assert asked[2] & asked[0]
    assert not asked[2] & asked[1]


def test_straight_lined_self_ratings_are_pointed_out(app, user_client):
    attempt_id = start(user_client, "full.production-manager")
    for q in questions(app, attempt_id):
        values = ["4"] if q.is_self_rating else correct_values(q)
        assert answer(user_client, attempt_id, q.position, values).status_code == 302
    user_client.post(f"/attempts/{attempt_id}/submit")
    html = user_client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "You gave the same level to every self-rating." in html
    assert "these self-ratings count for less in your estimates" in html


def test_a_skill_quiz_with_three_equal_self_ratings_is_straight_lined(app, user_client):
    attempt_id = start(user_client, "skill.leadership")  # three self-ratings
    answer_all(user_client, app, attempt_id)  # all of them 5
    user_client.post(f"/attempts/{attempt_id}/submit")
    html = user_client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "You gave the same level to every self-rating." in html
    assert "likely between" in html  # the pooled estimate beside this attempt's scores


def test_varied_self_ratings_in_a_skill_quiz_are_not_straight_lining(app, user_client):
    attempt_id = start(user_client, "skill.leadership")
    levels = iter(["2", "4", "3"])
    for q in questions(app, attempt_id):
        values = [next(levels)] if q.is_self_rating else correct_values(q)
        assert answer(user_client, attempt_id, q.position, values).status_code == 302
    user_client.post(f"/attempts/{attempt_id}/submit")
    html = user_client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "You gave the same level to every self-rating." not in html


def test_discarding_an_attempt_in_progress_deletes_it_after_a_confirmation(app, user_client):
    kept = start(user_client)
    answer_all(user_client, app, kept)
    user_client.post(f"/attempts/{kept}/submit")
    attempt_id = start(user_client)
    answer(user_client, attempt_id, 1, ["4"])
    for page in (f"/attempts/{attempt_id}?q=1", f"/attempts/{attempt_id}/review", "/attempts"):
        html = user_client.get(page).get_data(as_text=True)
        assert f'href="/attempts/{attempt_id}/discard"' in html, page
    assert f'href="/attempts/{kept}/discard"' not in user_client.get("/attempts").text
    confirm = user_client.get(f"/attempts/{attempt_id}/discard").get_data(as_text=True)
    assert "1 of 9 questions answered or skipped" in confirm
    # Without the tick: refused, nothing deleted.
    response = user_client.post(f"/attempts/{attempt_id}/discard", data={})
    assert response.status_code == 422
    assert "Tick the box to confirm." in response.get_data(as_text=True)
    assert count(app, Attempt, id=attempt_id) == 1
    response = user_client.post(f"/attempts/{attempt_id}/discard", data={"understood": "y"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/quizzes?role=production-manager"
    html = user_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Discarded your attempt at Production scheduling and planning" in html
    assert "1 attempt" in html
    assert "Retake" in html
    assert count(app, Attempt) == 1
    assert count(app, Answer, attempt_id=attempt_id) == 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AttemptItem)) == 9
    assert "1 attempt, newest first" in user_client.get("/attempts").get_data(as_text=True)
    back = user_client.get(f"/attempts/{attempt_id}")  # the Back button after discarding
    assert back.status_code == 404
    assert "may have been discarded in another tab" in back.text
    assert 'href="/quizzes">Back to your quizzes' in back.text
    assert "<h1>No longer there</h1>" in back.text
    assert (
        user_client.post(f"/attempts/{attempt_id}/discard", data={"understood": "y"}).status_code
        == 404
    )


def test_an_old_tab_of_a_discarded_attempt_saves_nothing_in_the_next_one(app, user_client):
    """SQLite hands a deleted newest id out again: a tab left on the discarded attempt then
    posts into the new attempt, whose question at that place is another one (PostgreSQL's
    sequences never reuse ids: there the old id is simply gone, 404)."""
    old = start(user_client, "skill.production-scheduling")
    shown = questions(app, old)[0]
    review = user_client.get(f"/attempts/{old}/review").text
    stamp = re.search(r'name="attempt" value="(\w+)"', review).group(1)
    user_client.post(f"/attempts/{old}/discard", data={"understood": "y", "attempt": stamp})
    new = start(user_client, "skill.quality-control")
    response = answer(user_client, old, 1, correct_values(shown), item=shown.item.id)
    assert response.status_code == (409 if new == old else 404)
    assert count(app, Answer, attempt_id=new) == 0
    # The old review page's Submit, and its Discard, leave the new attempt alone.
    for action, data in (("submit", {"skip_unanswered": "y"}), ("discard", {"understood": "y"})):
        response = user_client.post(f"/attempts/{old}/{action}", data={**data, "attempt": stamp})
        assert response.status_code == (409 if new == old else 404), action
    assert count(app, Attempt, id=new, status="in_progress") == 1


def test_a_submitted_attempt_cannot_be_discarded(app, user_client):
    attempt_id = start(user_client)
    user_client.post(f"/attempts/{attempt_id}/submit", data={"skip_unanswered": "y"})
    for response in (
        user_client.get(f"/attempts/{attempt_id}/discard"),
        user_client.post(f"/attempts/{attempt_id}/discard", data={"understood": "y"}),
    ):
        assert response.status_code == 409
        assert "cannot be discarded" in response.get_data(as_text=True)
    assert count(app, Attempt, id=attempt_id) == 1
    assert count(app, SkillScore, attempt_id=attempt_id) == 1


def test_only_the_owner_can_discard(app, user_client, make_user):
    attempt_id = start(user_client)
    make_user("eve@example.com", "Eve", role="production-manager")
    eve = app.test_client()
    login(eve, "eve@example.com")
    assert eve.get(f"/attempts/{attempt_id}/discard").status_code == 404
    assert eve.post(f"/attempts/{attempt_id}/discard", data={"understood": "y"}).status_code == 404
    assert count(app, Attempt, id=attempt_id) == 1
