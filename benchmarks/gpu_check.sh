#!/usr/bin/env bash
# The prepared GPU check: decisions of the default (guarded bf16) against fp32 on CrowS-Pairs for
# the four model shapes first (exit 1 if any differ), then the speed of each variant. Under 8
# minutes on one H200; prints "no CUDA device" and exits 0 without one.
#
#   bash benchmarks/gpu_check.sh            # a CUDA build of torch and trustkit installed
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}
export TRUSTKIT_DATA_MIRROR=${TRUSTKIT_DATA_MIRROR:-../shared/data} HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
"$PYTHON" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "devices", torch.cuda.device_count())'
exec timeout 470 "$PYTHON" benchmarks/bench_gpu.py --quick "$@"
