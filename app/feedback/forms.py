"""The owner's invitation form and the rater's form for one skill (built per skill)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from app.auth.forms import strip_whitespace
from app.security.once import once_field
from app.services.feedback import COMMENT_MAX, RaterSkill, SavedAnswers
from app.services.feedback_results import RELATIONSHIP_NAMES

RELATIONSHIP_CHOICES = [SelectChoice(key, name) for key, name in RELATIONSHIP_NAMES.items()]
NOT_OBSERVED = "none"


class InviteForm(FlaskForm):
    relationship = RadioField(
        "Who are they to you?",
        choices=RELATIONSHIP_CHOICES,
        validators=[DataRequired(message="Choose who the rater is to you.")],
    )
    label = StringField(
        "Their name (only you see it)",
        filters=[strip_whitespace],
        description="To tell your invitations apart, for example: Sam, line 2.",
        validators=[
            DataRequired(message="Give the invitation a name you will recognise."),
            Length(max=80, message="Keep the name under 80 characters."),
        ],
    )
    email = EmailField(
        "Their email address (to send it by email)",
        filters=[strip_whitespace],
        description="Leave empty to make a link that you pass on yourself.",
        validators=[
            Optional(),
            Length(max=254, message="That address is too long."),
            Email(message="Enter a valid email address, like name@example.com."),
        ],
        render_kw={"autocomplete": "off"},
    )
    note = TextAreaField(
        "A personal note (optional)",
        filters=[strip_whitespace],
        description="Shown to the rater above the form, for example what you are working on.",
        validators=[Optional(), Length(max=500, message="Keep the note under 500 characters.")],
        render_kw={"rows": 3},
    )
    once = once_field()
    submit = SubmitField("Invite")


class RelinkForm(FlaskForm):
    """ "New link" for an invitation whose link was not passed on: CSRF, and one secret per
    view of the page (app/security/once.py)."""

    once = once_field()


class ActionForm(FlaskForm):
    """A button that changes something (revoke, extend, close, submit): CSRF only."""

    submit = SubmitField("Confirm")


class OptOutForm(FlaskForm):
    submit = SubmitField("Don't ask me again")


class RaterSkillForm(FlaskForm):
    """Fields `item_0`..`item_n` (levels 1-5 or "not observed") and `comment`, added per skill
    by `rater_skill_form`; every field is optional, so a partial page still saves."""

    comment = TextAreaField(
        "Comment (optional)",
        filters=[strip_whitespace],
        description="A concrete example helps most. Shown without your name.",
        validators=[
            Optional(),
            Length(max=COMMENT_MAX, message=f"Keep the comment under {COMMENT_MAX} characters."),
        ],
        render_kw={"rows": 3},
    )


def rater_skill_form(rater_skill: RaterSkill, saved: SavedAnswers) -> RaterSkillForm:
    """The form for one skill's items, prefilled with what the rater saved before."""

    class Form(RaterSkillForm):
        pass

    for index, item in enumerate(rater_skill.items):
        anchors = sorted(item.observed.levels.items())
        choices = [SelectChoice(str(level), text) for level, text in anchors]
        choices.append(SelectChoice(NOT_OBSERVED, "Not observed: I have not seen this"))
        field = RadioField(
            item.observed.prompt,
            choices=choices,
            validators=[Optional()],
            validate_choice=True,
        )
        setattr(Form, f"item_{index}", field)
    data = {"comment": saved.comments.get(rater_skill.skill.id, "")}
    for index, item in enumerate(rater_skill.items):
        if item.id in saved.levels:
            level = saved.levels[item.id]
            data[f"item_{index}"] = NOT_OBSERVED if level is None else str(level)
    return Form(data=data)


def levels_from(form: RaterSkillForm, rater_skill: RaterSkill) -> dict[str, int | None]:
    """Item id -> level (None: not observed) for every item the rater answered on the page."""
    levels: dict[str, int | None] = {}
    for index, item in enumerate(rater_skill.items):
        value = getattr(form, f"item_{index}").data
        if value:
            levels[item.id] = None if value == NOT_OBSERVED else int(value)
    return levels
