"""The deployment-choice study (notebook 07): one model in several precisions, paired on the same pairs.

Each choice is scored on the same pairs and the same held-out texts; each is compared with the
model's fp32 run by ``trustkit.stats.compare_scored``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from trustkit.errors import InputError

__all__ = ["DeploymentResult", "deployment_study"]


@dataclass
class DeploymentResult:
    """What :func:`deployment_study` found.

    ``runs``: one row per (model, precision): bias score with CI, n, utility. ``comparisons``:
    ``{(model, precision): Comparison}`` against the model's first precision (fp32). ``models``:
    each scored (model, precision)'s provenance (id, revision, precision), for the figures' records.
    """

    runs: pd.DataFrame
    comparisons: dict = field(default_factory=dict)
    models: list = field(default_factory=list)

    def _stack(self, part: str) -> pd.DataFrame:
        frames = [
            getattr(c, part).assign(model=model, precision=precision, is_control=self._control(model))
            for (model, precision), c in self.comparisons.items()
        ]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def _control(self, model: str) -> bool:
        return bool(self.runs.loc[self.runs["model"] == model, "is_control"].iloc[0])

    def differences(self) -> pd.DataFrame:
        """One row per compared choice: flips, McNemar p, bias-score difference with CI, MDD."""
        return self._stack("summary")

    def strata(self) -> pd.DataFrame:
        """Flips by |Δ| stratum of the fp32 run, per compared choice."""
        return self._stack("strata")

    def categories(self) -> pd.DataFrame:
        """Per-category differences (BH-corrected McNemar p), per compared choice."""
        return self._stack("categories")

    def findings(self) -> str:
        """What each choice changes and what it does not, in sentences with the numbers."""
        lines = []
        for (model, precision), c in self.comparisons.items():
            s, strata = c.summary.iloc[0], c.strata
            runs = self.runs[self.runs["model"] == model].set_index("precision")
            base = runs.index[0]
            u0, u1 = runs.at[base, "bits_per_byte"], runs.at[precision, "bits_per_byte"]
            significant = int((c.categories["p_bh"] < 0.05).sum()) if len(c.categories) else 0
            lines.append(
                f"- {model}{' (random control)' if self._control(model) else ''}, {precision} vs {base}: "
                f"bias score {s['bias_score_a']:.1f} → {s['bias_score_b']:.1f} (difference "
                f"{s['estimate']:+.1f} points, 95% CI {s['ci_low']:+.1f} to {s['ci_high']:+.1f}; "
                f"McNemar p {s['mcnemar_p']:.2g}; detectable at this n: {s['mdd']:.1f}); "
                f"{s['flips']} of {s['n_pairs']} decisions flip ({s['flip_rate']:.1f}%: "
                f"{strata['flip_rate'].iloc[0]:.0f}% in the closest |Δ| quartile, "
                f"{strata['flip_rate'].iloc[-1]:.0f}% in the farthest); "
                f"categories that differ after BH: {significant}; "
                f"utility {u0:.3f} → {u1:.3f} bits per byte ({100 * (u1 / u0 - 1):+.1f}%)."
            )
        return "\n".join(lines)


def deployment_study(
    dataset: str,
    *,
    models=(),
    precisions=("fp32", "bf16", "fp16", "int8"),
    control: str | None = None,
    control_precisions=("fp32", "bf16"),
    n_pairs: int | None = None,
    control_n_pairs: int | None = None,
    n_texts: int = 100,
    control_n_texts: int = 20,
    n_resamples: int = 1000,
    seed: int = 0,
    device=None,
    progress: bool = True,
) -> DeploymentResult:
    """Score every (model, precision) on the same pairs and held-out texts; compare each with fp32.

    Causal LMs are scored with ``ll`` and exact perplexity, masked LMs with ``pll`` and
    pseudo-perplexity (``trustkit.metrics.utility``). The pairs are a seeded sample
    (``trustkit.data.sample_pairs``), the same for every precision of a model.

    Parameters
    ----------
    dataset : a pair dataset name (``crows_pairs``) or file.
    models : model names (bundle, hub id, path); each in every precision of ``precisions``
        (the first is the baseline of the comparisons).
    control : ``"<arch>-<size>"`` random-weights masked LM, in ``control_precisions``.
    n_pairs, control_n_pairs : pairs per model / for the control (None: every pair).
    n_texts, control_n_texts : held-out texts for the utility score.
    n_resamples, seed : bootstrap resamples and the seed of samples and bootstraps.
    device, progress : passed to the scorer.

    Example
    -------
    >>> r = deployment_study("crows_pairs", control="bert-tiny", n_pairs=4, control_n_pairs=4,
    ...                      control_n_texts=2, progress=False)  # doctest: +SKIP
    >>> r.differences()[["precision", "flips"]]  # doctest: +SKIP
    """
    from trustkit.data import load_pairs, sample_pairs
    from trustkit.metrics.utility import heldout_texts, perplexity
    from trustkit.models import load_pretrained, parse_control, random_control
    from trustkit.scoring import load_scorer
    from trustkit.stats import bias_score_table, compare_scored

    all_pairs = load_pairs(dataset)
    plan = [(str(m), m, False, list(precisions), n_pairs, n_texts) for m in models]
    spec = parse_control(control)
    if spec:
        path = random_control(*spec, seed=seed)
        plan.append(
            (f"{spec[0]}-{spec[1]}", path, True, list(control_precisions), control_n_pairs, control_n_texts)
        )
    if not plan:
        raise InputError("no model to study: give models or a control")
    rows, comparisons, provenance = [], {}, []
    for name, source, is_control, choices, n, texts_n in plan:
        pairs, texts = sample_pairs(all_pairs, n, seed=seed), heldout_texts(texts_n, seed=seed)
        baseline = None
        for precision in choices:
            loaded = load_pretrained(source, device=device, random_control=is_control, precision=precision)
            scorer = load_scorer(loaded, device=device, progress=progress)
            metric = "ll" if scorer.kind == "causal" else "pll"
            with scorer.labelled(f"{name} {precision} · {dataset}"):
                scored = scorer.score_pairs(pairs, metric)
                utility = perplexity(scorer, texts)
            bias = bias_score_table(scored, by=None, n_resamples=n_resamples, seed=seed).iloc[0]
            rows.append(
                {
                    "model": name,
                    "is_control": is_control,
                    "precision": precision,
                    "metric": metric,
                    "estimate": bias["estimate"],
                    "ci_low": bias["ci_low"],
                    "ci_high": bias["ci_high"],
                    "n": int(bias["n"]),
                    "utility": utility["kind"],
                    "perplexity": utility["perplexity"],
                    "bits_per_byte": utility["bits_per_byte"],
                    "n_texts": utility["n_texts"],
                }
            )
            provenance.append(dict(scorer.provenance))
            if baseline is None:
                baseline = (precision, scored)
            else:
                comparisons[(name, precision)] = compare_scored(
                    baseline[1],
                    scored,
                    labels=(f"{name} {baseline[0]}", f"{name} {precision}"),
                    n_resamples=n_resamples,
                    seed=seed,
                )
            del scorer, loaded
    return DeploymentResult(pd.DataFrame(rows), comparisons, provenance)
