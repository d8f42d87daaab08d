"""Reusable console pieces: the page frame (header + navigation) and dashboard cards."""
