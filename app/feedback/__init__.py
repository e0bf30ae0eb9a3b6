"""Feedback from raters: the owner's page and the rater's form."""
