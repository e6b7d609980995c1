"""Every benchmark of the kit, as ``make bench`` runs it: scoring speed against peer tools.

Prints each benchmark's figures and ratios; a GPU run is added when CUDA is present.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import bench_scoring  # noqa: E402


def main() -> int:
    """Run the benchmarks in turn."""
    import torch

    bench_scoring.main(["--gpu"] if torch.cuda.is_available() else [])
    return 0


if __name__ == "__main__":
    sys.exit(main())
