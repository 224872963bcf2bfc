"""The JSON-lines protocol spoken on stdout (mirrors libs/domain/src/trainer-protocol.ts).

One JSON object per line: metric points, progress, artifacts; anything else is a log line.
Lines are flushed at once so the runner sees them as they happen.
"""
import json
import math
import sys
from typing import Any, Dict, Optional, TextIO


def _emit(message: Dict[str, Any], stream: Optional[TextIO] = None) -> None:
    out = stream or sys.stdout
    out.write(json.dumps(message, separators=(",", ":")) + "\n")
    out.flush()


def metric(key: str, step: int, value: float, stream: Optional[TextIO] = None) -> None:
    """A metric point; non-finite values are reported as log lines (JSON has no NaN)."""
    value = float(value)
    if not math.isfinite(value):
        log(f"metric {key} at step {step} is not finite: {value}", stream)
        return
    _emit({"metric": key, "step": int(step), "value": value}, stream)


def progress(fraction: float, stream: Optional[TextIO] = None) -> None:
    _emit({"progress": min(1.0, max(0.0, float(fraction)))}, stream)


def artifact(name: str, path: str, kind: str, metadata: Optional[Dict[str, Any]] = None, stream: Optional[TextIO] = None) -> None:
    """A file the runner uploads and registers once the command succeeds."""
    _emit({"artifact": name, "path": path, "kind": kind, "metadata": metadata or {}}, stream)


def log(text: str, stream: Optional[TextIO] = None) -> None:
    out = stream or sys.stdout
    out.write(text.rstrip("\n") + "\n")
    out.flush()
