import os
import sys

# Tests import the package from the source tree, as the runner does (PYTHONPATH=libs/trainer).
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
