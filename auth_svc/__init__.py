"""Auth service: logins, tokens, users, roles, permissions and the audit log."""
