"""Profile and target-role forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from app.auth.forms import password_field
from app.catalogue.loader import Catalogue


def role_choices(cat: Catalogue) -> list[SelectChoice]:
    return [SelectChoice(r.slug, r.name) for r in cat.roles_in_order()]


class ChooseRoleForm(FlaskForm):
    target_role = RadioField(
        "Which role are you aiming for?",
        validators=[DataRequired(message="Choose one of the roles.")],
    )
    submit = SubmitField("Save my target role")


class ProfileForm(FlaskForm):
    display_name = StringField(
        "Display name",
        validators=[
            DataRequired(message="Tell us what to call you."),
            Length(max=80, message="Keep it under 80 characters."),
        ],
    )
    target_role = SelectField("Target role", validators=[DataRequired()])
    submit = SubmitField("Save profile")


class PasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired(message="Enter your current password.")],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = password_field("New password")
    confirm = PasswordField(
        "Confirm new password",
        validators=[
            DataRequired(message="Type the new password again."),
            EqualTo("new_password", message="The two passwords do not match."),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField("Change password")
