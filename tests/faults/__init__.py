"""Fault injection: database outages, replica and auth_svc kills, SIGKILL mid-transaction (see conftest.py)."""
