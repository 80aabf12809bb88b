"""Plain data: dataclasses, enums, controlled vocabularies and validation."""
