"""Quiz forms. A question's answer options are plain inputs rendered from the item (see
quiz/question.html): `services.attempts.parse_answer` validates them, and CSRFProtect checks
the token on every POST."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SubmitField
from wtforms.validators import DataRequired

from app.services.attempts import AttemptView


class AttemptForm(FlaskForm):
    """A form acting on a whole attempt: it carries the attempt's stamp (`AttemptView.stamp`),
    so a page left open on an attempt discarded since cannot act on the next one."""

    attempt = HiddenField()

    def for_another(self, attempt: AttemptView) -> bool:
        return bool(self.attempt.data) and self.attempt.data != attempt.stamp


class DiscardAttemptForm(AttemptForm):
    understood = BooleanField(
        "I understand that this deletes the attempt and its answers, and cannot be undone",
        validators=[DataRequired(message="Tick the box to confirm.")],
    )
    submit = SubmitField("Discard this attempt")


class SubmitAttemptForm(AttemptForm):
    skip_unanswered = BooleanField("Submit anyway: unanswered questions count as skipped")
    submit = SubmitField("Submit my answers")
