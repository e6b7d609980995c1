"""Before a profile runs: check that its hub models, tokenizers and extras are here; say what it costs.

:func:`preflight` checks every hub model a profile's notebooks name (cached snapshot complete,
config and tokenizer load, weights of a kind trustkit reads) and every extra they need, and lists
all missing pieces in one message with the command that fixes each. :func:`estimate` says per
notebook how many rows are scored and roughly how long that takes on the detected device.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from trustkit.models.hub import (
    OFFLINE_HELP,
    HubError,
    inspect_cached,
    local_snapshot,
    offline,
    prefetch,
    split_revision,
)

PAPER_EXTRA = "pip install -e '.[paper]'"
# Rough sizes for the estimate: pairs per dataset, parameters per offline model, tokens per sentence.
DATASET_PAIRS = {"crows_pairs": 1508, "crows_pairs_revised": 1677, "crows_pairs_pikuliak": 1500}
MODEL_PARAMS = {
    "smollm2-135m-instruct": 106e6,
    "gemma3-270m": 100e6,
    "bert-base": 85e6,
    "bert-tiny": 0.4e6,
    "backtranslation": 40e6,  # non-embedding parameters (what a forward pass multiplies)
    # the paper's hub models before they are cached (ALBERT: its shared layer counted 12 times)
    "bert-base-uncased": 85e6,
    "roberta-large": 302e6,
    "albert/albert-xxlarge-v2": 2.4e9,
    "prithivida/parrot_paraphraser_on_T5": 198e6,
}
TOKENS_PER_SENTENCE = 16
# Sustained FLOP/s assumed for the estimate. On this project's 2-core CPU it puts random BERT-base PLL
# at ~0.9 s per sentence (measured 0.25 s, README) and ALBERT-xxlarge at ~1.5 s per row (measured ~4 s).
FLOPS = {"cpu": 5e10, "cuda": 2e13}


class HubUnavailable(HubError, RuntimeError):
    """A profile needs hub models, tokenizers or extras that are not here; the message lists them all."""


def _is_hub_id(name: str) -> bool:
    from trustkit.models import BUNDLES

    name = str(name)
    return (
        bool(name)
        and name not in BUNDLES
        and not Path(name).expanduser().exists()
        and not name.startswith((".", "/", "~"))
        and split_revision(name)[0].count("/") <= 1
    )


def needed_models(plan: dict[str, dict]) -> dict[str, list[str]]:
    """``{model id: [notebooks]}`` of every model a run plan (``{notebook: parameters}``) names.

    >>> needed_models({"03_paraphrase": {"backends": ["seq2seq:t5-small", "backtranslation"]}})
    {'t5-small': ['03_paraphrase']}
    """
    found: dict[str, list[str]] = {}
    for notebook, params in plan.items():
        names = list(params.get("models") or [])
        for spec in [*(params.get("backends") or []), params.get("backend") or ""]:
            _method, _, model = str(spec).partition(":")
            names += [m.strip() for m in model.split(",") if m.strip()]
        for name in names:
            found.setdefault(str(name), [])
            if notebook not in found[str(name)]:
                found[str(name)].append(notebook)
    return found


def _tokenizer_problem(model_id: str, folder: Path) -> str | None:
    names = {p.name for p in folder.iterdir()}
    if (
        "tokenizer.json" not in names
        and any(n.endswith(".model") for n in names)
        and importlib.util.find_spec("sentencepiece") is None
    ):
        return f"{model_id}: its SentencePiece tokenizer needs the paper extra (sentencepiece): {PAPER_EXTRA}"
    from transformers import AutoConfig, AutoTokenizer

    try:
        AutoConfig.from_pretrained(str(folder))
        AutoTokenizer.from_pretrained(str(folder))
    except Exception as err:  # any failure here would stop a notebook later
        return f"{model_id}: config or tokenizer does not load ({type(err).__name__}: {str(err).splitlines()[0]})"
    return None


def preflight(plan: dict[str, dict]) -> list[str]:
    """Check every hub model of a run plan; raise :class:`HubUnavailable` listing all that is missing.

    Models missing from the local Hugging Face cache are fetched (only the files trustkit reads)
    when the hub may be used; with ``HF_HUB_OFFLINE=1`` they are reported instead.

    Returns
    -------
    The hub ids checked.

    Example
    -------
    >>> preflight({n: profiles.profile_parameters("paper", n) for n in profiles.notebook_names()})  # doctest: +SKIP
    """
    hub_ids = [m for m in needed_models(plan) if _is_hub_id(m)]
    problems = []
    reachable = not offline()
    for model_id in hub_ids:
        name, revision = split_revision(model_id)
        row = inspect_cached(model_id)
        if not row.complete and reachable:
            try:
                prefetch(name, revision)
                row = inspect_cached(model_id)
            except HubError as err:
                problems.append(f"{model_id}: {err}")
                reachable = (
                    "404" in str(err) or "not found" in str(err).lower()
                )  # else the hub is down: stop trying
                continue
        if not row.complete:
            where = (
                "is not in the local Hugging Face cache"
                if row.revision is None
                else f"is incomplete in the local cache (missing {', '.join(row.missing)})"
            )
            problems.append(
                f"{model_id} {where}; fix: `trustkit models prefetch {model_id}` where the hub is "
                "reachable (HF_HUB_OFFLINE unset), or copy a filled $HF_HOME/hub here"
            )
            continue
        problem = _tokenizer_problem(model_id, local_snapshot(name, revision))
        if problem:
            problems.append(problem)
    if problems:
        state = "HF_HUB_OFFLINE=1 is set, so the hub is not tried. " if offline() else ""
        raise HubUnavailable(
            f"{state}{len(problems)} missing piece(s):\n  - "
            + "\n  - ".join(problems)
            + f"\n{OFFLINE_HELP}; a GPU is recommended. Runs without the hub: `trustkit reproduce --profile offline`."
        )
    return hub_ids


def _model_params(name: str) -> float:
    folder = local_snapshot(*split_revision(name)) if _is_hub_id(name) else None
    if folder is None and name in MODEL_PARAMS:
        return MODEL_PARAMS[name]
    if folder is None:
        return 85e6
    import json

    config = json.loads((folder / "config.json").read_text())
    hidden = config.get("hidden_size") or config.get("d_model") or 768
    layers = config.get("num_hidden_layers") or 2 * config.get("num_layers", 12)
    inner = config.get("intermediate_size") or config.get("d_ff") or 4 * hidden
    return layers * (4 * hidden * hidden + 2 * hidden * inner)  # compute per token: embeddings are lookups


def estimate(plan: dict[str, dict], device: str | None = None) -> dict[str, dict]:
    """Rows to score (model forward rows) and estimated seconds per notebook on ``device``.

    A masked LM's PLL costs one row per token; a causal LM one row per sentence; a paraphrase
    one generation per candidate (counted as 2 tokens' rows). The time assumes the FLOP rates
    of :data:`FLOPS`; it is an order of magnitude, not a promise.

    >>> estimate({"02_scoring": {"datasets": ["crows_pairs"], "n_pairs": 10, "models": [], "control": "bert-tiny",
    ...                          "control_n_pairs": None, "variants_n_pairs": 0}}, "cpu")["02_scoring"]["rows"]
    320
    """
    if device is None:
        from trustkit.models import parse_device

        device = parse_device("auto")
    flops = FLOPS["cuda" if str(device).startswith("cuda") else "cpu"]
    out = {}
    for notebook, p in plan.items():
        datasets = p.get("datasets") or [p.get("dataset")] if ("datasets" in p or "dataset" in p) else []
        pairs = sum(p.get("n_pairs") or DATASET_PAIRS.get(d, 1500) for d in datasets if d)
        wordings = 1 + p.get("n_paraphrases", 0) if notebook.startswith("04") else 1
        work = []  # (model, rows)
        for model in p.get("models") or []:
            per = (
                TOKENS_PER_SENTENCE
                if "gguf" not in model and "smollm" not in model and "gemma" not in model
                else 1
            )
            work.append((model, pairs * 2 * wordings * per + (p.get("variants_n_pairs") or 0) * 2 * per * 5))
        if p.get("control"):
            n = p.get("control_n_pairs") or pairs
            work.append(
                (
                    p["control"],
                    min(n * len(datasets), pairs) * 2 * wordings * TOKENS_PER_SENTENCE
                    + (p.get("variants_n_pairs") or 0) * 2 * TOKENS_PER_SENTENCE * 5,
                )
            )
        specs = p.get("backends") or ([p["backend"]] if p.get("backend") else [])
        for spec in specs:
            method, _, model = str(spec).partition(":")
            work.append((model or method, pairs * 2 * p.get("n_paraphrases", 1) * 2 * TOKENS_PER_SENTENCE))
        rows = sum(r for _, r in work)
        seconds = sum(r * 2 * _model_params(m) * TOKENS_PER_SENTENCE / flops for m, r in work)
        out[notebook] = {"rows": int(rows), "estimated_s": round(seconds, 1), "device": str(device)}
    return out
