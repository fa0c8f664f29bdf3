"""The student's machine: project root, atomic JSON store, progress files, profile, config."""
