"""Account forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from app.services.accounts import PASSWORD_MAX, PASSWORD_MIN

PASSWORD_HINT = (
    f"{PASSWORD_MIN} to {PASSWORD_MAX} characters. A passphrase of a few words works well."
)


def password_field(label: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired(message="Enter a password."),
            Length(
                min=PASSWORD_MIN,
                max=PASSWORD_MAX,
                message=f"Use {PASSWORD_MIN} to {PASSWORD_MAX} characters.",
            ),
        ],
        description=PASSWORD_HINT,
        render_kw={"autocomplete": "new-password", "maxlength": PASSWORD_MAX},
    )


def strip_whitespace(value: str | None) -> str | None:
    """WTForms filter: trim surrounding whitespace from text input."""
    return value.strip() if isinstance(value, str) else value


def email_field(label: str = "Email") -> EmailField:
    return EmailField(
        label,
        filters=[strip_whitespace],
        validators=[
            DataRequired(message="Enter your email address."),
            Length(max=254, message="That address is too long."),
            Email(message="Enter a valid email address, like name@example.com."),
        ],
        render_kw={"autocomplete": "email"},
    )


def display_name_field() -> StringField:
    return StringField(
        "Display name",
        validators=[
            DataRequired(message="Tell us what to call you."),
            Length(max=80, message="Keep it under 80 characters."),
        ],
        render_kw={"autocomplete": "name"},
    )


def confirm_field(label: str, password_field_name: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired(message="Type the password again."),
            EqualTo(password_field_name, message="The two passwords do not match."),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class RegisterForm(FlaskForm):
    email = email_field()
    display_name = display_name_field()
    submit = SubmitField("Email me a sign-up link")


class FinishSignupForm(FlaskForm):
    display_name = display_name_field()
    password = password_field("Password")
    confirm = confirm_field("Confirm password", "password")
    submit = SubmitField("Create account")


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(
        "Password",
        validators=[DataRequired(message="Enter your password."), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Keep me logged in on this device for 30 days")
    submit = SubmitField("Log in")


class ForgotPasswordForm(FlaskForm):
    email = email_field()
    submit = SubmitField("Send me a reset link")


class ResetPasswordForm(FlaskForm):
    new_password = password_field("New password")
    confirm = confirm_field("Confirm new password", "new_password")
    submit = SubmitField("Set my new password")


class LogoutForm(FlaskForm):
    submit = SubmitField("Log out")
