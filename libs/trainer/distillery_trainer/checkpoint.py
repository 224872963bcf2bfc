"""Checkpoints that survive being killed, and the SIGTERM that asks for one.

The runner stops a job with SIGTERM (cancel, shutdown) and SIGKILL only after a grace period:
the training loop polls `StopRequest` between steps, writes a checkpoint and exits with 143, and
a retried job resumes from it. Checkpoints are written to a temporary file, fsynced and renamed,
so a checkpoint on disk is always a whole one.
"""
import os
import signal
from typing import Any, Dict, Optional

import torch

STOPPED_EXIT_CODE = 143  # 128 + SIGTERM, what a shell reports for a process stopped by SIGTERM


class StopRequest:
    """Turns SIGTERM (and SIGINT) into a flag the training loop checks between steps."""

    def __init__(self) -> None:
        self.requested = False

    def install(self) -> "StopRequest":
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._handle)
        return self

    def _handle(self, signum: int, _frame: Any) -> None:
        self.requested = True


def save_checkpoint(path: str, state: Dict[str, Any]) -> None:
    temporary = f"{path}.tmp"
    with open(temporary, "wb") as handle:
        torch.save(state, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def load_checkpoint(path: str) -> Optional[Dict[str, Any]]:
    if not os.path.exists(path):
        return None
    return torch.load(path, map_location="cpu")
