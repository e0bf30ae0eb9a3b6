"""One form per milestone kind, with the date rules users expect."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Field,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.auth.forms import strip_whitespace
from app.services.readiness import LEVEL_LABEL
from app.web import local_today

EARLIEST = date(1940, 1, 1)
LATEST = date(2100, 12, 31)  # as far as an import accepts, so every export imports back
DATE_MESSAGE = "Enter a date as YYYY-MM-DD."


def date_field(label: str, required: bool = False, description: str = "") -> DateField:
    validators = (
        [InputRequired(message=f"Enter the {label.lower()}.")] if required else [Optional()]
    )
    return DateField(
        label,
        validators=validators,
        description=description,
        render_kw={"placeholder": "YYYY-MM-DD"},
    )


def text_field(
    label: str, max_length: int, required: bool = True, description: str = ""
) -> StringField:
    validators = [Length(max=max_length, message=f"Keep it under {max_length} characters.")]
    validators.insert(
        0, DataRequired(message=f"Enter the {label.lower()}.") if required else Optional()
    )
    return StringField(
        label,
        validators=validators,
        # An optional field left out of the request altogether is empty text, as when blank.
        filters=[strip_whitespace, lambda value: value or ""],
        description=description,
    )


class WholeNumberField(IntegerField):
    """An integer field whose refusal of "1e9" or "twelve" says what to type."""

    def process_formdata(self, valuelist: list) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a whole number, like 12.") from None


class MilestoneForm(FlaskForm):
    """Shared date checks: real dates, not absurdly old or far, end not before start; one
    message per field (the first that applies), never a stack of them."""

    start_attr = ""
    end_attr = ""
    order_message = "The end date must be on or after the start date."
    submit = SubmitField("Save")

    def _dates(self) -> list:
        return [f for f in self if isinstance(f, DateField)]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for field in self._dates():
            if field.raw_data and field.raw_data[0] and field.data is None:
                field.errors = [DATE_MESSAGE]
                ok = False
            elif field.data and field.data < EARLIEST:
                field.errors = [*field.errors, f"Use a date after {EARLIEST.year}."]
                ok = False
            elif field.data and field.data > LATEST:
                field.errors = [*field.errors, f"Use a date before {LATEST.year + 1}."]
                ok = False
        start = getattr(self, self.start_attr, None) if self.start_attr else None
        end = getattr(self, self.end_attr, None) if self.end_attr else None
        if start and end and start.data and end.data and end.data < start.data:
            self.fail(end, self.order_message)
        self.check()
        for field in self:
            field.errors = list(field.errors)[:1]
        return ok and not any(field.errors for field in self)

    def check(self) -> None:
        """Cross-field rules that must run even when a field is empty (Optional() stops)."""

    def fail(self, field: Field, message: str) -> None:
        if message not in field.errors:
            field.errors = [*field.errors, message]

    def not_future(self, field: DateField, what: str) -> None:
        if field.data and field.data > local_today():
            raise ValidationError(f"{what} cannot be in the future.")

    def not_past(self, field: DateField, what: str) -> None:
        if field.data and field.data < local_today():
            raise ValidationError(f"{what} cannot be in the past.")


FIELD_OPTIONAL = ("high_school", "mba")
"""Levels that often have no field of study (a general diploma or MBA): asking for one made
people type "MBA in MBA"."""


class EducationForm(MilestoneForm):
    start_attr, end_attr = "start_date", "end_date"
    order_message = "The completion date must be on or after the start date."
    level = SelectField(
        "Level",
        choices=[SelectChoice(k, v) for k, v in LEVEL_LABEL.items()],
        validators=[DataRequired(message="Choose a level.")],
    )
    field = text_field(
        "Field of study",
        120,
        required=False,
        description="Optional for a high-school diploma or a general MBA.",
    )
    institution = text_field("Institution", 160, required=False)
    status = SelectField(
        "Status",
        choices=[
            SelectChoice("planned", "Planned"),
            SelectChoice("in_progress", "In progress"),
            SelectChoice("completed", "Completed"),
        ],
        validators=[DataRequired(message="Choose a status.")],
    )
    start_date = date_field("Start date")
    end_date = date_field("Completion date", description="Actual if completed, expected otherwise.")

    def validate_end_date(self, field: DateField) -> None:
        if self.status.data == "completed":
            self.not_future(field, "A completion date")
        elif field.data and field.data < local_today():  # planned or in progress: expected
            raise ValidationError(
                "A planned or in-progress programme cannot finish in the past: move the date, "
                "or mark it Completed."
            )

    def check(self) -> None:
        if self.status.data == "completed" and self.end_date.data is None:
            self.fail(self.end_date, "Enter the date you completed it.")
        if not self.field.data and self.level.data and self.level.data not in FIELD_OPTIONAL:
            self.fail(self.field, "Enter the field of study.")

    def validate_start_date(self, field: DateField) -> None:
        if self.status.data in ("completed", "in_progress"):
            self.not_future(field, "The start date of a started programme")
        else:
            self.not_past(field, "The start date of a planned programme (is it in progress?)")


class PositionForm(MilestoneForm):
    start_attr, end_attr = "start_date", "end_date"
    title = text_field("Job title", 120)
    organisation = text_field("Organisation", 160)
    start_date = date_field("Start date", required=True)
    end_date = date_field("End date", description="Leave empty if this is your current job.")
    in_production = BooleanField("This job was in production or manufacturing")
    managed_people = BooleanField("I managed people in this job")
    people_managed = WholeNumberField(
        "How many people (at most)",
        validators=[Optional(), NumberRange(min=1, max=100000, message="Enter 1 to 100000.")],
    )

    def validate_start_date(self, field: DateField) -> None:
        self.not_future(field, "The start date")

    def validate_end_date(self, field: DateField) -> None:
        self.not_future(field, "The end date")

    def check(self) -> None:
        if self.managed_people.data and self.people_managed.data is None:
            self.fail(self.people_managed, "Enter how many people you managed.")
        elif not self.managed_people.data and self.people_managed.raw_data not in (None, [], [""]):
            self.fail(
                self.people_managed,
                "You gave a number of people but did not tick “I managed people in this job”: "
                "tick it, or clear the number.",
            )

    @property
    def data(self) -> dict:
        data = super().data
        if not data["managed_people"]:
            data["people_managed"] = None
        return data


class CertificationForm(MilestoneForm):
    start_attr, end_attr = "earned_on", "expires_on"
    order_message = "The expiry date must be after the date earned."
    name = text_field("Certification", 120)
    issuer = text_field("Issued by", 160, required=False)
    earned_on = date_field(
        "Date earned",
        required=True,
        description="For an exam you have booked, its date: it counts once that day has passed.",
    )
    expires_on = date_field("Expiry date", description="Leave empty if it does not expire.")

    def validate_expires_on(self, field: DateField) -> None:
        if field.data and self.earned_on.data and field.data == self.earned_on.data:
            raise ValidationError(self.order_message)


class ActivityForm(MilestoneForm):
    kind = SelectField(
        "Kind",
        choices=[
            SelectChoice(k, k.capitalize())
            for k in ("conference", "course", "mentoring", "workshop", "other")
        ],
        validators=[DataRequired(message="Choose a kind.")],
    )
    title = text_field("Title", 160)
    occurred_on = date_field(
        "Date", required=True, description="A date ahead is fine for one you have booked."
    )
    notes = TextAreaField(
        "Notes",
        validators=[Optional(), Length(max=500, message="Keep notes under 500 characters.")],
        filters=[strip_whitespace],
    )


FORMS: dict[str, type[MilestoneForm]] = {
    "education": EducationForm,
    "positions": PositionForm,
    "certifications": CertificationForm,
    "activities": ActivityForm,
}
