"""The roles blueprint."""
