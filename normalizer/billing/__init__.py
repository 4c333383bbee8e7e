"""Calling Plans: would a call be allowed, and who pays for it (catalog, outcomes, replay)."""
