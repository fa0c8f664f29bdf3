"""Anonymized system facts: coarse enough to group machines, never enough to identify one."""

from __future__ import annotations

import math
import os
import platform
import sys

SYSTEM_TYPES = (
    "Linux x86",
    "Linux ARM",
    "macOS Apple Silicon",
    "macOS Intel",
    "Windows x86",
    "Windows ARM",
    "Other",
)

_ARCH_ALIASES = {"amd64": "x86_64", "x64": "x86_64", "aarch64": "arm64", "armv8": "arm64"}


def normalize_arch(machine: str) -> str:
    machine = (machine or "unknown").strip().lower()
    machine = _ARCH_ALIASES.get(machine, machine)
    cleaned = "".join(ch for ch in machine if ch.isalnum() or ch == "_")[:16]
    return cleaned or "unknown"


def os_name(system: str) -> str:
    return {"Linux": "Linux", "Darwin": "macOS", "Windows": "Windows"}.get(system, "Other")


def system_type(os_label: str, arch: str) -> str:
    x86 = arch in ("x86_64", "i386", "i686", "x86")
    arm = arch.startswith("arm")
    if os_label == "macOS":
        return "macOS Apple Silicon" if arm else "macOS Intel" if x86 else "Other"
    if os_label in ("Linux", "Windows") and (x86 or arm):
        return f"{os_label} {'x86' if x86 else 'ARM'}"
    return "Other"


def round_memory_gb(total_bytes: int | None) -> int | None:
    """Total memory rounded to the nearest power of two in GiB (at least 1)."""
    if not total_bytes or total_bytes <= 0:
        return None
    gib = total_bytes / 2**30
    return max(1, 2 ** round(math.log2(max(gib, 1.0))))


def _total_memory_bytes() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        pass
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import ctypes

        class _MemoryStatus(ctypes.Structure):
            _fields_ = [
                ("dwLength", ctypes.c_ulong),
                ("dwMemoryLoad", ctypes.c_ulong),
                ("ullTotalPhys", ctypes.c_ulonglong),
                ("ullAvailPhys", ctypes.c_ulonglong),
                ("ullTotalPageFile", ctypes.c_ulonglong),
                ("ullAvailPageFile", ctypes.c_ulonglong),
                ("ullTotalVirtual", ctypes.c_ulonglong),
                ("ullAvailVirtual", ctypes.c_ulonglong),
                ("sullAvailExtendedVirtual", ctypes.c_ulonglong),
            ]

        status = _MemoryStatus()
        status.dwLength = ctypes.sizeof(status)
        if ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):
            return int(status.ullTotalPhys)
    return None


def collect() -> dict:
    """The `system` block of a result: no hostname, user, path, CPU model or exact memory."""
    import numpy

    os_label = os_name(platform.system())
    arch = normalize_arch(platform.machine())
    major, minor = numpy.__version__.split(".")[:2]
    return {
        "system_type": system_type(os_label, arch),
        "os": os_label,
        "arch": arch,
        "cpu_cores": os.cpu_count() or 1,
        "memory_gb": round_memory_gb(_total_memory_bytes()),
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
        "numpy": f"{int(major)}.{int(''.join(c for c in minor if c.isdigit()) or 0)}",
    }
