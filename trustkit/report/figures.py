"""The report card's figures, drawn by ``trustkit.plots`` and embedded as base64 PNG (no file beside the HTML).

The category figure is drawn from the report's own numbers, so figure and tables cannot disagree.
"""

from __future__ import annotations

import base64
import io
import struct

import matplotlib.pyplot as plt
import pandas as pd

from trustkit import plots, stats
from trustkit.plots.policy import DISPLAY_DPI
from trustkit.report.estimates import with_paraphrases

__all__ = ["category_figure", "png_data_uri", "report_figures"]

#: PNG resolution in the report: 1.5 dots per CSS pixel, sharp at the figure's display size
REPORT_DPI = 150


def png_data_uri(fig, dpi: int = REPORT_DPI) -> str:
    """The figure as a ``data:image/png;base64,...`` URI; the figure is closed.

    >>> fig, ax = plt.subplots(); png_data_uri(fig).startswith("data:image/png;base64,")
    True
    """
    return _embedded(fig, dpi)["src"]


def _embedded(fig, dpi: int = REPORT_DPI) -> dict:
    """``{"src": data URI, "width": px}``: the PNG and the width it shows at in a notebook.

    The page shows each figure at that width (:data:`trustkit.plots.policy.DISPLAY_DPI` pixels an
    inch, the size its fonts were chosen for), never wider than the page.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    width = struct.unpack(">I", buffer.getvalue()[16:20])[0]
    return {
        "src": "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii"),
        "width": round(width * DISPLAY_DPI / dpi),
    }


def _category_rows(numbers: dict) -> pd.DataFrame:
    """Overall and per-category estimates (plain and thresholded) from the report's numbers."""

    def label(row):
        return f"{row['group']} (n={row['n']}{', few pairs' if row.get('small') else ''})"

    rows = []
    overall = {"group": "overall", **numbers["bias_score"]}
    for row in [overall, *numbers["by_bias_type"]]:
        rows.append(
            {
                **row,
                "group": label(row) if row["group"] != "overall" else f"overall (n={row['n']})",
                "rows": "original",
            }
        )
    thresholded = numbers.get("thresholded")
    if thresholded:
        tau = thresholded["tau"]
        for row in [{"group": "overall", **thresholded}, *thresholded["by_bias_type"]]:
            # the same category label as the plain row, so both sit on one line of the figure
            plain = next(r for r in [overall, *numbers["by_bias_type"]] if r["group"] == row["group"])
            rows.append(
                {
                    **row,
                    "group": label(plain) if row["group"] != "overall" else f"overall (n={plain['n']})",
                    "rows": f"thresholded (|Δ| > τ = {tau:.2f})",
                }
            )
    return pd.DataFrame(rows)[["group", "rows", "estimate", "ci_low", "ci_high"]]


def category_figure(numbers: dict, model_name: str):
    """Bias score per bias type with its CI, plain and thresholded, drawn from the report's numbers.

    >>> fig = category_figure(report.document, "smollm2-135m-instruct")  # doctest: +SKIP
    """
    return plots.plot_category_scores(_category_rows(numbers), title=f"Bias score by category — {model_name}")


def report_figures(scored: pd.DataFrame, numbers: dict, model_name: str) -> dict[str, dict]:
    """Draw the report's figures: ``{key: {"title", "caption", "src", "width"}}``.

    ``src`` is a PNG data URI, ``width`` the width in CSS pixels the page shows it at.

    Parameters
    ----------
    scored : the model's scored table (originals and paraphrases).
    numbers : :func:`trustkit.report.estimates.report_numbers` of the same table.
    model_name : the model's label in the figures.

    Example
    -------
    >>> figures = report_figures(scored, numbers, "smollm2-135m-instruct")  # doctest: +SKIP
    """
    table = scored.assign(model=model_name)
    thresholded = numbers.get("thresholded")
    tau = thresholded["tau"] if thresholded else None
    out = {}
    fig = plots.plot_delta_distributions(
        table,
        tau={model_name: tau} if tau is not None else None,
        title="Δ on the original pairs" + (", with ±τ from paraphrase noise" if tau else ""),
    )
    out["delta"] = {
        "title": "Distribution of Δ",
        **_embedded(fig),
        "caption": "Δ = log-likelihood of sent_more − of sent_less, one value per pair; right of 0 the model "
        "prefers the more stereotypical sentence. Dashed: ±τ, the change rewording alone causes.",
    }
    fig = category_figure(numbers, model_name)
    out["categories"] = {
        "title": "Bias score by bias type",
        **_embedded(fig),
        "caption": "Bias score with its exact 95% CI (Clopper–Pearson) per bias type; 50 (dotted) is unbiased. "
        "Categories with few pairs have wide intervals: read them with care.",
    }
    paraphrased = with_paraphrases(table)
    if not paraphrased.empty:
        fig = plots.plot_original_vs_paraphrase(paraphrased)
        out["paraphrase"] = {
            "title": "Original vs paraphrased Δ",
            **_embedded(fig),
            "caption": "Each point is a paraphrase of a pair. Off the diagonal, wording moved Δ; "
            "crosses reversed the pair's verdict (a flip).",
        }
        curve = stats.threshold_curve(table, by=None)
        fig = plots.plot_threshold_curve(curve.assign(model=model_name), tau=tau)
        out["threshold"] = {
            "title": "Thresholding",
            **_embedded(fig),
            "caption": "Top: bias score over the pairs with |Δ| > τ, for every τ. Bottom: the share of "
            "pairs left undetermined. The dashed line is the τ this report uses.",
        }
    return out
