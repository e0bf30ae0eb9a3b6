"""Profile and target-role forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from app.auth.forms import confirm_field, display_name_field, email_field, password_field
from app.catalogue.loader import Catalogue
from app.report.forms import expiry_field
from app.services import timezones


def role_choices(cat: Catalogue) -> list[SelectChoice]:
    return [SelectChoice(r.slug, r.name) for r in cat.roles_in_order()]


class ChooseRoleForm(FlaskForm):
    target_role = RadioField(
        "Which role are you aiming for?",
        validators=[DataRequired(message="Choose one of the roles.")],
    )
    submit = SubmitField("Save my target role")


BROWSER_ZONE = ""
"""The time zone choice that stores none: times follow the browser's zone (else UTC)."""


def zone_choices() -> list[SelectChoice]:
    return [SelectChoice(BROWSER_ZONE, "My browser's time zone")] + [
        SelectChoice(name, name.replace("_", " ")) for name in timezones.names()
    ]


def time_zone_hint(chosen: str | None, detected: str | None) -> str:
    """What the time zone select says: the person's choice, or the browser's zone, or UTC."""
    if chosen:
        mismatch = f" Your browser reports {detected}." if detected and detected != chosen else ""
        return f"Times on every page are shown in this zone.{mismatch}"
    if detected:
        return f"Your browser reports {detected}, so times are shown in that zone."
    return "Times are shown in UTC until your browser tells us its zone or you choose one."


class ProfileForm(FlaskForm):
    display_name = display_name_field()
    target_role = SelectField("Target role", validators=[DataRequired()])
    time_zone = SelectField(
        "Time zone",
        choices=zone_choices,
        invalid_choice_message="Choose a time zone from the list, such as Europe/London.",
    )
    submit = SubmitField("Save profile")


def current_password_field() -> PasswordField:
    return PasswordField(
        "Current password",
        validators=[DataRequired(message="Enter your current password.")],
        render_kw={"autocomplete": "current-password"},
    )


class PasswordForm(FlaskForm):
    current_password = current_password_field()
    new_password = password_field("New password")
    confirm = confirm_field("Confirm new password", "new_password")
    submit = SubmitField("Change password")


class EmailForm(FlaskForm):
    new_email = email_field("New email address")
    current_password = current_password_field()
    submit = SubmitField("Send a confirmation link")


class ConfirmEmailForm(FlaskForm):
    submit = SubmitField("Confirm my new email address")


class DeleteAccountForm(FlaskForm):
    current_password = current_password_field()
    understood = BooleanField(
        "I understand that this deletes my account and all its data, and cannot be undone",
        validators=[DataRequired(message="Tick the box to confirm.")],
    )
    submit = SubmitField("Delete my account")


class TokenForm(FlaskForm):
    name = StringField(
        "Token name",
        description="What it is for, for example: my learning dashboard.",
        validators=[
            DataRequired(message="Give the token a name."),
            Length(max=80, message="Keep the name under 80 characters."),
        ],
    )
    scope = SelectField(
        "Access",
        choices=[SelectChoice("read", "Read only"), SelectChoice("read write", "Read and write")],
        default="read",
    )
    expires = expiry_field("Expires after")
    submit = SubmitField("Create token")
