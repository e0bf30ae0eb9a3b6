"""Profile and target-role forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, RadioField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from app.auth.forms import confirm_field, display_name_field, password_field
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
    display_name = display_name_field()
    target_role = SelectField("Target role", validators=[DataRequired()])
    submit = SubmitField("Save profile")


class PasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired(message="Enter your current password.")],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = password_field("New password")
    confirm = confirm_field("Confirm new password", "new_password")
    submit = SubmitField("Change password")
