"""Answer and submit forms. The answer's validity is checked by services.attempts.parse_answer,
so the form only renders the options and carries the CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectMultipleField, SubmitField, widgets
from wtforms.fields.choices import SelectChoice

from app.catalogue.schema import SelfRatingItem
from app.services.attempts import Question


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class StartForm(FlaskForm):
    submit = SubmitField("Start")


class SubmitAttemptForm(FlaskForm):
    skip_unanswered = BooleanField("Submit anyway: unanswered questions will be skipped")
    submit = SubmitField("Submit my answers")


def answer_form(question: Question, formdata: object | None = None) -> FlaskForm:
    """A form for one question, pre-filled with the saved answer."""

    class AnswerForm(FlaskForm):
        save = SubmitField("Save and continue")
        skip = SubmitField("Skip for now")

    item = question.item
    if isinstance(item, SelfRatingItem):
        choices = [SelectChoice(str(level), text) for level, text in sorted(item.levels.items())]
        AnswerForm.answer = RadioField(item.prompt, choices=choices, validate_choice=False)
        default: object = str(question.rating) if question.rating else None
    elif item.select == "single":
        choices = [SelectChoice(o.id, o.text) for o in question.options()]
        AnswerForm.answer = RadioField(item.prompt, choices=choices, validate_choice=False)
        default = next(iter(question.chosen), None)
    else:
        choices = [SelectChoice(o.id, o.text) for o in question.options()]
        AnswerForm.answer = MultiCheckboxField(item.prompt, choices=choices, validate_choice=False)
        default = sorted(question.chosen)
    kwargs = {} if formdata is None else {"formdata": formdata}
    return AnswerForm(answer=default, **kwargs)
