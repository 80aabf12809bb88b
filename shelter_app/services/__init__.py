"""Use cases: each checks the permission, changes rows and appends its audit event in one
transaction.  Built once per signed-in session by ``build_services``."""
