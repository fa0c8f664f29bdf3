"""The submission contract: schema, validator, score, builder, badges, distribution."""

SCHEMA_VERSION = 2  # what new files are; version 1 files stay valid, unlinked
MAX_FILE_BYTES = 64 * 1024
KINDS = ("baseline", "capstone")
BACKENDS = ("numpy", "tinytorch")
