"""The student's machine: project root, results, progress files, profile, config."""
