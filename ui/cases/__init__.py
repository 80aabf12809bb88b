"""The Cases section: the case list, the intake and the case workspace."""
