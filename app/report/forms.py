"""The import form (the report blueprint also serves the exports it reads back)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SubmitField


class ImportForm(FlaskForm):
    file = FileField(
        "Export file",
        description="The .json file from Export JSON, at most 2 MB.",
        validators=[
            FileRequired(message="Choose a file to import."),
            FileAllowed(["json"], message="Choose the .json file that Export JSON gave you."),
        ],
    )
    submit = SubmitField("Import")
