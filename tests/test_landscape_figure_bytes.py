"""The network-map PNG has the same bytes in every run of the same code, whatever Python's hash seed."""

import hashlib
import os
import subprocess
import sys
import textwrap

CHILD = textwrap.dedent("""
    import hashlib, sys, tempfile
    from pathlib import Path
    import matplotlib
    matplotlib.use("Agg")
    from trustkit.landscape import run_landscape
    from trustkit.landscape.synthetic import planted_papers
    small = {"years": (2021, 2023), "phrase_threshold": 2.0, "min_df": 5, "min_cooccurrence": 5,
             "stability_seeds": 2, "n_resamples": 50, "top_n": 5, "min_community_size": 5}
    result = run_landscape(small, papers=planted_papers(n_per_topic=60, seed=3), progress=False)
    for path in result.save(Path(tempfile.mkdtemp())):
        if path.name.endswith("network_map.png"):
            print(hashlib.sha256(path.read_bytes()).hexdigest())
""")


def network_map_sha256(hash_seed: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=hash_seed)
    done = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.split()[-1]


def test_network_map_png_bytes_do_not_depend_on_the_hash_seed():
    digests = {network_map_sha256(seed) for seed in ("1", "2", "3")}
    assert len(digests) == 1 and len(digests.pop()) == len(hashlib.sha256().hexdigest())
