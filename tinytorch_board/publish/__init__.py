"""Where a submission goes: the outbox, a local board directory, GitHub, a prefilled link."""
