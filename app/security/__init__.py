"""Rate limits, security headers and the SQL storage that lets rate limits scale out."""
