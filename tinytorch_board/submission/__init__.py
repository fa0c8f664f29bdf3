"""The submission v1 contract: JSON Schema, validator, score, builder."""

SCHEMA_VERSION = 1
MAX_FILE_BYTES = 64 * 1024

# `moderation: <reason>` in a removal's commit message or pull request description marks
# a maintainer's removal (board remove), as opposed to a student's withdrawal.
MODERATION_MARK = "moderation:"
