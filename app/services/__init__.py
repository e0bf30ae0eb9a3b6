"""Business logic as plain functions; views call these and stay thin."""
