"""Timing harness, backends, baseline suite, capstone tracks, anonymized system info."""
