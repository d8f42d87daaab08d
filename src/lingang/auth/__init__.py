"""Users, roles, password hashes, console sessions, API tokens and login throttling."""
