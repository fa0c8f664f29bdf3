"""The submission v1 contract: schema, validator, score, builder, badges, distribution."""

SCHEMA_VERSION = 1
MAX_FILE_BYTES = 64 * 1024
KINDS = ("baseline", "capstone")
BACKENDS = ("numpy", "tinytorch")

# `moderation: <reason>` in a removal's commit message or pull request description marks
# a maintainer's removal (board remove), as opposed to a student's withdrawal.
MODERATION_MARK = "moderation:"
