"""tinytorch-board: benchmark your TinyTorch, compare without uploading, share if you want."""

__version__ = "0.1.0"
