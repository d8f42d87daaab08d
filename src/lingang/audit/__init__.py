"""Append-only, HMAC-chained audit log of every write."""
