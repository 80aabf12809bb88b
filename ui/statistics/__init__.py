"""The Statistics section: anonymised counts for a period (coordinators)."""
