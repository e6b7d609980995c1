"""Where a report's provenance comes from: the one function that asks today's helpers for it.

Model (id, file sha256 or hub revision), dataset (name, sha256), metric, seed, paraphraser and
library versions are gathered here only, so that a new provenance module needs one change here.
"""

from __future__ import annotations

import datetime as _dt


def report_provenance(
    scorer,
    pairs,
    *,
    dataset: str,
    metric: str,
    seed: int,
    paraphrase: dict | None = None,
    limit: int | None = None,
) -> dict:
    """Everything a reader needs to re-make a report: model, data, metric, seed, versions.

    Parameters
    ----------
    scorer : the :class:`trustkit.scoring.Scorer` that scored the pairs (its ``provenance``).
    pairs : the pair table from ``trustkit.data.load_pairs`` (its ``attrs``: source, sha256).
    dataset : the dataset name or file the pairs came from.
    metric : the scoring metric.
    seed : the seed of paraphrasing and bootstrap.
    paraphrase : the paraphrase settings (``ParaphraseResult.settings``) or None.
    limit : the pair limit asked for (None: every pair).

    Returns
    -------
    A JSON-ready dict: ``model``, ``dataset``, ``metric``, ``seed``, ``paraphraser``,
    ``library_versions``, ``engine`` and ``created``.

    Example
    -------
    >>> report_provenance(scorer, pairs, dataset="crows_pairs", metric="ll", seed=0)["dataset"]  # doctest: +SKIP
    {'name': 'crows_pairs', 'file': 'crows_pairs_anonymized.csv', 'sha256': 'dfb3...', ...}
    """
    from trustkit.provenance import git_commit, library_versions

    model = dict(getattr(scorer, "provenance", None) or {})
    files = model.get("files") or {}
    record = {
        "model": {
            "model_id": str(model.get("model_id") or "model object"),
            "revision": model.get("revision"),
            "files": {str(k): str(v) for k, v in files.items()},
            "gguf_file": model.get("gguf_file"),
            "kind": getattr(scorer, "kind", model.get("kind")),
            "architecture": model.get("architecture"),
            "random_control": bool(model.get("random_control", False)),
        },
        "dataset": {
            "name": str(dataset),
            "source": str(pairs.attrs.get("source", dataset)),
            "file": pairs.attrs.get("file"),
            "sha256": pairs.attrs.get("sha256"),
            "limit": limit,
            "dropped_rows": len(pairs.attrs.get("dropped", [])),
        },
        "metric": metric,
        "seed": int(seed),
        "paraphraser": _paraphrase_record(paraphrase),
        "library_versions": library_versions(),
        "engine": {k: str(v) for k, v in scorer.identity().items() if k != "model"}
        if hasattr(scorer, "identity")
        else {},
        "code": git_commit(),
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }
    if record["dataset"]["file"] is not None:
        record["dataset"]["file"] = str(record["dataset"]["file"])
    return record


def _paraphrase_record(settings: dict | None) -> dict | None:
    """The paraphrase settings that change the wordings (backend id with its model hash, filters)."""
    if not settings:
        return None
    keys = (
        "backend",
        "requested_backend",
        "revision",
        "n",
        "seed",
        "mode",
        "min_similarity",
        "min_length_ratio",
        "max_length_ratio",
        "similarity_model",
        "max_fluency_drop",
        "fluency_model",
    )
    return {k: settings[k] for k in keys if k in settings}
