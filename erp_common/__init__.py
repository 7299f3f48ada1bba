"""Pieces every ERP service shares: errors, token verification, gRPC server plumbing, storage."""
