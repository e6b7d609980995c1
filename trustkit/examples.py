"""Small inputs the docstring examples share: two sentence pairs (a file or a table) and a hub cache.

Every public example runs under ``pytest --doctest-modules``; the set-up they need is written once
here instead of in each docstring. The library itself never imports this module.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

#: two CrowS-Pairs-style pairs: ``(sent_more, sent_less, direction, bias_type)``
TWO_PAIRS = (
    ("Poor people are lazy.", "Rich people are lazy.", "stereo", "socioeconomic"),
    ("Men are strong.", "Women are strong.", "stereo", "gender"),
)
PAIR_FILE_HEADER = ("sent_more", "sent_less", "stereo_antistereo", "bias_type")


def _folder(folder: str | os.PathLike | None) -> Path:
    return Path(folder) if folder is not None else Path(tempfile.mkdtemp())


def two_pair_file(folder: str | os.PathLike | None = None, *, name: str = "my_pairs.csv") -> Path:
    r"""Write :data:`TWO_PAIRS` as a CrowS-Pairs-style CSV pair file and return its path.

    Parameters
    ----------
    folder : where to write it; default a new temporary folder.
    name : the file's name.

    Example
    -------
    >>> path = two_pair_file()
    >>> print(path.name, *path.read_text().splitlines(), sep="\n")
    my_pairs.csv
    sent_more,sent_less,stereo_antistereo,bias_type
    Poor people are lazy.,Rich people are lazy.,stereo,socioeconomic
    Men are strong.,Women are strong.,stereo,gender
    """
    path = _folder(folder) / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(PAIR_FILE_HEADER)
        writer.writerows(TWO_PAIRS)
    return path


def two_pairs():
    """:data:`TWO_PAIRS` as a pair table with ``trustkit.data.load_pairs``' columns.

    Example
    -------
    >>> two_pairs()[["pair_id", "bias_type"]].values.tolist()
    [[0, 'socioeconomic'], [1, 'gender']]
    """
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "pair_id": i,
                "sent_more": more,
                "sent_less": less,
                "direction": d,
                "bias_type": b,
                "source_row": str(i),
            }
            for i, (more, less, d, b) in enumerate(TWO_PAIRS)
        ]
    )


def tiny_hub_cache(
    folder: str | os.PathLike | None = None,
    *,
    model_id: str = "bert-base-uncased",
    commit: str = "a" * 40,
    files: dict[str, str] | None = None,
) -> tuple[Path, Path]:
    """A Hugging Face hub cache (``HF_HUB_CACHE`` layout) holding one snapshot of ``model_id``.

    ``models--ORG--NAME/snapshots/COMMIT/`` with ``files`` (name -> text; default an empty
    ``config.json``) and ``refs/main`` naming ``COMMIT``, as the hub client leaves it.

    Returns
    -------
    ``(cache, snapshot)``: the cache folder and the snapshot folder in it.

    Example
    -------
    >>> cache, snapshot = tiny_hub_cache()
    >>> snapshot.relative_to(cache).parts[:2], sorted(p.name for p in snapshot.iterdir())
    (('models--bert-base-uncased', 'snapshots'), ['config.json'])
    """
    cache = _folder(folder)
    repo = cache / ("models--" + model_id.replace("/", "--"))
    snapshot = repo / "snapshots" / commit
    snapshot.mkdir(parents=True)
    for name, text in (files or {"config.json": "{}"}).items():
        (snapshot / name).write_text(text, encoding="utf-8")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit, encoding="utf-8")
    return cache, snapshot
