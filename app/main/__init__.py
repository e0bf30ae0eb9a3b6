"""The main blueprint."""
