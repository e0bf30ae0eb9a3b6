"""The profile blueprint."""
