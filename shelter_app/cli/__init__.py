"""shelter-admin: the administrator's command line (no GUI toolkit)."""
