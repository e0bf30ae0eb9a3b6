"""The import forms (the report blueprint also serves the exports they read back)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from app.security.once import once_field

EXPIRY_CHOICES = [
    SelectChoice("7", "7 days"),
    SelectChoice("30", "30 days"),
    SelectChoice("90", "90 days"),
    SelectChoice("never", "Never (until I revoke it)"),
]


class ImportForm(FlaskForm):
    file = FileField(
        "Export file",
        description="The .json or .json.gz file from Export JSON, at most 4 MB as sent.",
        validators=[
            FileRequired(message="Choose a file to import."),
            FileAllowed(
                ["json", "gz"], message="Choose the .json or .json.gz file that Export gave you."
            ),
        ],
    )
    submit = SubmitField("Import")


class ConfirmImportForm(FlaskForm):
    """The preview's Import and Cancel buttons: the file the page showed, named by its digest
    (`importer.digest`), so that a file previewed since in another tab is never the one
    imported or cancelled."""

    digest = HiddenField()


def expiry_field(label: str) -> SelectField:
    return SelectField(label, choices=EXPIRY_CHOICES, default="30")


class ShareForm(FlaskForm):
    label = StringField(
        "Label (optional)",
        description="Shown to whoever opens the link, and in your list of links. For example: "
        "for my mentor.",
        validators=[Optional(), Length(max=80, message="Keep the label under 80 characters.")],
    )
    expires = expiry_field("Link expires after")
    include_feedback = BooleanField(
        "Include the feedback from my raters (aggregates only, from my latest round closed for "
        "this role: group means of enough raters, no one rater's figure and no comments)"
    )
    once = once_field()
    submit = SubmitField("Create a share link")
