"""The Administration section (administrators only): accounts, settings, vault care."""
