"""SQL repositories over the open vault database (named parameters only)."""
