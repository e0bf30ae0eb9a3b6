"""The JSON API, /api/v1: another face on the services the pages use."""
