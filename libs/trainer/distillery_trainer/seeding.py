"""Determinism and thread settings shared by every command."""
import os
import random

import numpy as np
import torch


def configure_threads(threads: int = 2) -> None:
    """Torch defaults to 1 thread on this class of machine and OpenBLAS threads fight torch's
    (2-thread runs swing between 0.2 and 2.4 steps/s): pin both."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    torch.set_num_threads(max(1, threads))


def seed_everything(seed: int) -> torch.Generator:
    """Seeds Python, NumPy and torch; returns a torch generator for data order and noise."""
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)
    generator = torch.Generator()
    generator.manual_seed(seed)
    return generator


def pick_device(wanted: str = "any") -> torch.device:
    """CUDA when available and the job allows it (wanted: cpu | cuda | any)."""
    if wanted in ("cuda", "any") and torch.cuda.is_available():
        return torch.device("cuda")
    if wanted == "cuda":
        raise RuntimeError("the job asks for CUDA but torch.cuda.is_available() is False")
    return torch.device("cpu")
