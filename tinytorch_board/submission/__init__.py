"""The submission v1 contract: schema, validator, score, builder, badges, distribution."""

SCHEMA_VERSION = 1
MAX_FILE_BYTES = 64 * 1024
KINDS = ("baseline", "capstone")
BACKENDS = ("numpy", "tinytorch")
