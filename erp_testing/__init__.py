"""Test harness: real components (MariaDB, services, edges) started on free loopback ports."""
