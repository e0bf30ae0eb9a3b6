"""Quiz forms. A question's answer options are plain inputs rendered from the item (see
quiz/question.html): `services.attempts.parse_answer` validates them, and CSRFProtect checks
the token on every POST."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField
from wtforms.validators import DataRequired


class DiscardAttemptForm(FlaskForm):
    understood = BooleanField(
        "I understand that this deletes the attempt and its answers, and cannot be undone",
        validators=[DataRequired(message="Tick the box to confirm.")],
    )
    submit = SubmitField("Discard this attempt")


class SubmitAttemptForm(FlaskForm):
    skip_unanswered = BooleanField("Submit anyway: unanswered questions count as skipped")
    submit = SubmitField("Submit my answers")
