"""The readiness report, role comparison and data export."""
