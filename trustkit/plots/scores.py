"""Figures of bias scores: the thresholding curve, per-category scores with CIs, and metric variants.

Each function takes a tidy table from trustkit.stats and returns the Figure; save it with
trustkit.provenance.save_figure.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from trustkit.plots.policy import fit_figsize
from trustkit.plots.style import LINE_COLOURS, MIN_PAIRS, PALETTE, house_style, model_labels
from trustkit.tables import require_columns

__all__ = ["ci_error_bars", "plot_category_scores", "plot_metric_variants", "plot_threshold_curve"]

_ROW_NAMES = {"original": "original sentences", "paraphrases": "paraphrases", "all": "all wordings"}


def _subtitle(table: pd.DataFrame, model_col: str = "model") -> str:
    if model_col not in table.columns:
        return ""
    labels = list(dict.fromkeys(model_labels(table, model_col)))
    return " — " + ", ".join(labels)


def plot_threshold_curve(
    curve: pd.DataFrame,
    *,
    tau: float | None = None,
    title: str | None = None,
    min_pairs: int = MIN_PAIRS,
):
    """Bias score over determined pairs and the undetermined share as functions of τ.

    Parameters
    ----------
    curve : output of :func:`trustkit.stats.threshold_curve` (``group, tau, bias_score,
        undetermined_share``, optionally ``n``); one line per group.
    tau : the chosen τ, marked with a vertical line.
    title : figure title (defaults to a description, plus the model when ``curve`` has one).
    min_pairs : groups other than "overall" with fewer pairs (column ``n``) are not drawn — a
        curve over a handful of pairs is noise — and a note under the figure names them.

    Returns
    -------
    matplotlib Figure with two stacked panels sharing the τ axis.

    Example
    -------
    >>> c = pd.DataFrame({"group": "overall", "tau": [0, 1, 2], "bias_score": [55.0, 60, 70],
    ...                   "undetermined_share": [0.0, 40, 80]})
    >>> fig = plot_threshold_curve(c, tau=1.0); plt.close(fig)
    """
    require_columns(curve, ["tau", "bias_score", "undetermined_share"], what="threshold curve")
    table = curve if "group" in curve.columns else curve.assign(group="overall")
    sizes = table.groupby("group", sort=False)["n"].max() if "n" in table.columns else None
    small = [] if sizes is None else [g for g, n in sizes.items() if g != "overall" and n < min_pairs]
    with house_style():
        fig, (top, bottom) = plt.subplots(
            2, 1, sharex=True, figsize=fit_figsize(9, 5.6), layout="constrained"
        )
        drawn = [(name, part) for name, part in table.groupby("group", sort=False) if name not in small]
        for i, (name, part) in enumerate(drawn):
            style = {
                "color": LINE_COLOURS[i % len(LINE_COLOURS)],
                "lw": 3.5 if name == "overall" else 1.8,
                "ls": "-" if i < len(LINE_COLOURS) else "--",
            }
            label = name if sizes is None else f"{name} ({sizes[name]})"
            top.plot(part["tau"], part["bias_score"], label=label, **style)
            bottom.plot(part["tau"], part["undetermined_share"], **style)
        top.axhline(50, color="0.3", lw=1, ls=":")
        if tau is not None:
            top.axvline(tau, color="black", ls="--", lw=1.5, label=f"chosen τ = {tau:.3g}")
            bottom.axvline(tau, color="black", ls="--", lw=1.5)
        top.set_ylabel("bias score (%)")
        bottom.set_ylabel("undetermined (%)")
        bottom.set_ylim(0, 100)
        bottom.set_xlabel("threshold τ on |Δ|")
        handles, _ = top.get_legend_handles_labels()
        heading = None if sizes is None else "group (pairs)"
        if small:
            heading += f"; not drawn, fewer than {min_pairs} pairs: " + ", ".join(
                f"{g} ({sizes[g]})" for g in small
            )
        fig.legend(
            loc="outside lower center",
            ncols=min(3, len(handles)),
            title=textwrap.fill(heading, 110) if heading else None,
        )
        name = (
            title or f"Thresholding: bias score of determined pairs and undetermined share{_subtitle(curve)}"
        )
        top.set_title(textwrap.fill(name, 110), loc="left")
    return fig


def ci_error_bars(estimate, ci_low, ci_high) -> np.ndarray:
    """Error-bar lengths ``[[below], [above]]`` of intervals around estimates, for ``errorbar``.

    A percentile interval may sit a rounding error inside its estimate: lengths are clipped at 0
    (matplotlib refuses negative ones).

    >>> ci_error_bars([50.0, 60.0], [40.0, 60.0000001], [55.0, 70.0]).tolist()
    [[10.0, 0.0], [5.0, 10.0]]
    """
    est = np.asarray(estimate, dtype=float)
    below = est - np.asarray(ci_low, dtype=float)
    above = np.asarray(ci_high, dtype=float) - est
    return np.clip(np.vstack([below, above]), 0, None)


def _errorbar_rows(
    ax, table: pd.DataFrame, series_col: str, y_order: list[str], series: list[str], y_col: str = "group"
) -> None:
    step = 0.7 / max(1, len(series))
    for i, name in enumerate(series):
        part = table[table[series_col] == name].set_index(y_col).reindex(y_order)
        y = np.arange(len(y_order)) + (i - (len(series) - 1) / 2) * step
        est = part["estimate"].to_numpy(float)
        err = ci_error_bars(est, part["ci_low"], part["ci_high"])
        ax.errorbar(
            est,
            y,
            xerr=err,
            ls="none",
            ms=6,
            capsize=3,
            lw=2,
            color=PALETTE[i % len(PALETTE)],
            label=name,
            marker="osD^v"[i % 5],
        )
    ax.set_yticks(np.arange(len(y_order)), [textwrap.fill(str(label), 26) for label in y_order])
    ax.invert_yaxis()
    ax.axvline(50, color="black", lw=1.2, ls=":")
    ax.set_xlabel("bias score (%)  —  50 = unbiased")


def plot_category_scores(scores: pd.DataFrame, *, title: str | None = None):
    """Per-category bias scores with CIs, original sentences vs paraphrases.

    Parameters
    ----------
    scores : rows of :func:`trustkit.stats.bias_score_table` (``group, rows, estimate,
        ci_low, ci_high``), typically the concatenation of the ``rows="original"`` and
        ``rows="paraphrases"`` tables; a ``model`` column (with ``is_control``) names the model.
    title : figure title.

    Returns
    -------
    matplotlib Figure.

    Example
    -------
    >>> s = pd.DataFrame({"group": ["overall", "age"] * 2, "rows": ["original"] * 2 + ["paraphrases"] * 2,
    ...     "estimate": [60.0, 70, 55, 58], "ci_low": [55.0, 60, 50, 48], "ci_high": [65.0, 80, 60, 68]})
    >>> fig = plot_category_scores(s); plt.close(fig)
    """
    require_columns(scores, ["group", "estimate", "ci_low", "ci_high"], what="bias score table")
    table = scores.assign(rows=scores["rows"] if "rows" in scores.columns else "original")
    table = table.assign(rows=table["rows"].map(lambda r: _ROW_NAMES.get(r, r)))
    y_order = list(dict.fromkeys(table["group"]))
    series = list(dict.fromkeys(table["rows"]))
    with house_style():
        fig, ax = plt.subplots(figsize=fit_figsize(9, 1.2 + 0.4 * len(y_order) * max(1, len(series)) ** 0.5))
        _errorbar_rows(ax, table, "rows", y_order, series)
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=len(series))
        ax.set_title(title or f"Bias score by category{_subtitle(scores)}", loc="left", pad=24)
        fig.tight_layout()
    return fig


def plot_metric_variants(scores: pd.DataFrame, *, title: str | None = None, metric_col: str = "metric"):
    """Bias scores of several metric variants (PLL, word-l2r, CrowS, AUL, ...) on the same model.

    Parameters
    ----------
    scores : rows of :func:`trustkit.stats.bias_score_table` with a ``metric`` column naming
        the variant; every ``group`` present is drawn (pass only the ``"overall"`` rows for one
        point per variant). A ``model`` column (with ``is_control``) goes into the title.
    title : figure title.
    metric_col : column naming the metric variant.

    Returns
    -------
    matplotlib Figure.

    Example
    -------
    >>> s = pd.DataFrame({"metric": ["pll", "aul"], "group": "overall",
    ...     "estimate": [60.0, 52], "ci_low": [55.0, 47], "ci_high": [65.0, 57]})
    >>> fig = plot_metric_variants(s); plt.close(fig)
    """
    require_columns(scores, [metric_col, "group", "estimate", "ci_low", "ci_high"], what="bias score table")
    groups = list(dict.fromkeys(scores["group"]))
    metrics = list(dict.fromkeys(scores[metric_col].astype(str)))
    table = scores.assign(**{metric_col: scores[metric_col].astype(str)})
    with house_style():
        if len(groups) == 1:  # one point per variant: the variants are the rows
            fig, ax = plt.subplots(figsize=fit_figsize(9, 1.5 + 0.5 * len(metrics)))
            _errorbar_rows(ax, table, "group", metrics, groups, y_col=metric_col)
        else:
            fig, ax = plt.subplots(
                figsize=fit_figsize(9, 1.2 + 0.45 * len(groups) * max(1, len(metrics)) ** 0.5)
            )
            _errorbar_rows(ax, table, metric_col, groups, metrics)
            ax.legend(title="metric", loc="upper left", bbox_to_anchor=(1.0, 1.0))
        ax.set_title(textwrap.fill(title or f"Metric variants{_subtitle(scores)}", 90), loc="left")
        fig.tight_layout()
    return fig
