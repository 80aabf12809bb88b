"""The Audit log section: every event of the chain, for coordinators and administrators."""
