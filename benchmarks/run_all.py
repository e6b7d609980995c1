"""Every benchmark of the kit, as ``make bench`` runs it: each ``benchmarks/bench_*.py`` in turn.

Each prints its figures and ratios against peer tools; GPU runs are added when CUDA is present.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))


def main() -> int:
    """Run ``main()`` of every ``bench_*.py`` beside this file; return 0."""
    import torch

    gpu = ["--gpu"] if torch.cuda.is_available() else []
    for path in sorted(HERE.glob("bench_*.py")):
        print(f"== {path.stem} ==", flush=True)
        importlib.import_module(path.stem).main(gpu)
    return 0


if __name__ == "__main__":
    sys.exit(main())
