"""The question catalogue: roles, skills, sources and items read from `questions/`."""

from flask import current_app

from app.catalogue.loader import Catalogue


def catalogue() -> Catalogue:
    """The current app's catalogue (loaded once in `create_app`)."""
    return current_app.extensions["catalogue"]
