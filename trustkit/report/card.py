"""The built report card: its document, figures and scored table, its page, headline and files.

``trustkit.report.build`` makes a :class:`Report`; this module renders, summarises and writes one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from trustkit.errors import InputError
from trustkit.report.figures import category_figure
from trustkit.report.html import render_html
from trustkit.summary import Summary

__all__ = ["Report", "json_path"]


def json_path(html_path: str | Path) -> Path:
    """Where the JSON twin of a report goes: ``REPORT.html`` → ``REPORT.json``.

    >>> json_path("out/report.html").name
    'report.json'
    """
    return Path(html_path).with_suffix(".json")


@dataclass
class Report:
    """A built report card: ``document`` (the JSON twin's content), ``figures`` and the scored table.

    ``scored`` has one row per (pair, wording) with ``para_index`` 0 for the original;
    :meth:`tokens` gives the per-token log-probabilities of the original pairs (for ``explore``).
    """

    document: dict
    figures: dict
    scored: pd.DataFrame
    pairs: pd.DataFrame
    scorer: object = field(default=None, repr=False)
    metric: str = ""

    @property
    def html(self) -> str:
        """The self-contained HTML page."""
        return render_html(self.document, self.figures)

    def tokens(self) -> pd.DataFrame:
        """Per-token log-probabilities of both sentences of every original pair (from the score cache)."""
        if self.scorer is None:
            raise InputError("this report has no scorer attached, so no per-token log-probabilities")
        originals = self.scored[self.scored["para_index"] == 0]
        return self.scorer.score_tokens(originals, self.metric)

    def category_figure(self):
        """The per-bias-type figure (plain and thresholded scores with CIs) as a matplotlib Figure."""
        return category_figure(self.document, self.label)

    @property
    def label(self) -> str:
        """The model's name in figures ("(random control)" appended for a control)."""
        return _label(self.document["provenance"])

    def summary(self) -> Summary:
        """The headline numbers (bias score, CI, p, thresholded score, undetermined, ICC) as a Summary."""
        b, t, s = (
            self.document["bias_score"],
            self.document["thresholded"] or {},
            self.document["sensitivity"] or {},
        )
        return Summary(
            {
                "pairs": self.document["n_pairs"],
                "bias score": b["estimate"],
                "CI low": b["ci_low"],
                "CI high": b["ci_high"],
                "binomial p": b["p"],
                "tau": t.get("tau"),
                "thresholded score": t.get("estimate"),
                "undetermined %": t.get("undetermined_share"),
                "flip rate %": (s.get("flip_rate") or {}).get("estimate"),
                "ICC": (s.get("icc") or {}).get("estimate"),
            },
            title=self.document["title"],
        )

    def write(self, out: str | Path, force: bool = False) -> tuple[Path, Path]:
        """Write ``OUT.html`` and its twin ``OUT.json``; refuse existing files without ``force``.

        Both texts are rendered before either file is written, each file is written atomically,
        and if the page cannot be written the twin is put back as it was: never one without
        the other.
        """
        from trustkit.fileio import atomic_write_text, check_output_path

        out = Path(out)
        twin = json_path(out)
        for path in (out, twin):
            check_output_path(path, force=force)
        # both texts are complete before either file is touched, so no half report is left behind
        page = self.html
        document = json.dumps(self.document, indent=1, ensure_ascii=False, allow_nan=False)
        previous = twin.read_bytes() if twin.exists() else None
        atomic_write_text(twin, document)
        try:
            atomic_write_text(out, page)
        except BaseException:
            if previous is None:
                twin.unlink(missing_ok=True)
            else:
                atomic_write_text(twin, previous.decode("utf-8"))
            raise
        return out, twin

    def headline(self) -> str:
        """The card's headline as one line (what ``trustkit report`` prints), readable at any n.

        >>> Report({"bias_score": {"estimate": 0.0, "ci_low": 0.0, "ci_high": 60.2, "p": None, "n": 4},
        ...         "thresholded": None}, {}, None, None).headline()
        'bias score 0.0% (95% CI 0.0–60.2%, binomial p —, n 4)'
        """
        b, t = self.document["bias_score"], self.document["thresholded"]
        line = (
            f"bias score {_fmt(b['estimate'], '.1f', '%')} (95% CI {_fmt(b['ci_low'], '.1f')}–"
            f"{_fmt(b['ci_high'], '.1f', '%')}, binomial p {_fmt(b['p'], '.3g')}, n {b['n']})"
        )
        if t:
            line += (
                f" | thresholded {_fmt(t['estimate'], '.1f', '%')} with τ {_fmt(t['tau'], '.3g')}, "
                f"{_fmt(t['undetermined_share'], '.1f', '%')} undetermined"
                if t["estimate"] is not None
                else f" | τ {_fmt(t['tau'], '.3g')}: every pair undetermined"
            )
        flagged = self.document.get("flagged") or {}
        if flagged.get("excluded"):
            line += f" | {flagged['n_flagged']} of {flagged['n_pairs_all']} pairs excluded as flagged"
        return line


def _fmt(value, spec: str, unit: str = "") -> str:
    """A number for a line of text; "—" where the statistic has no value (e.g. p with all ties)."""
    return "—" if value is None else f"{value:{spec}}{unit}"


def _label(provenance: dict) -> str:
    model = provenance["model"]
    return Path(model["model_id"]).name + (" (random control)" if model["random_control"] else "")
