"""Admin pages and account commands."""
