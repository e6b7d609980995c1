"""What the landscape study returns: :class:`LandscapeResult`, its text summary and its files.

:func:`trustkit.landscape.study.run_landscape` fills it; the name stays importable from there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import pandas as pd

from trustkit.landscape.corpus import Corpus
from trustkit.landscape.network import DocTermMatrix
from trustkit.landscape.params import LandscapeParams
from trustkit.summary import Summary


def landscape_finding(separation: pd.DataFrame, validation: pd.DataFrame) -> str:
    """Markdown bullets: does privacy separate from fairness/demography, and does relevance find TrustNLP.

    Parameters
    ----------
    separation : :attr:`LandscapeResult.separation`, one row per seed (the first is the reported
        run): ``separated`` (bool or missing), ``privacy_communities``, ``fairness_communities``.
    validation : :attr:`LandscapeResult.validation`, one row per score: ``score``, ``estimate``
        (ROC AUC), ``ci_low``, ``ci_high``, ``n_pos``, ``n_neg``.

    Returns
    -------
    str
        One bullet for the claim test, one per AUC, each saying what the numbers allow.

    Examples
    --------
    >>> separation = pd.DataFrame({"separated": [True, False], "privacy_communities": ["3", "3"],
    ...                            "fairness_communities": ["1", "3"]})
    >>> validation = pd.DataFrame({"score": ["relevance"], "estimate": [0.61], "ci_low": [0.45],
    ...                            "ci_high": [0.77], "n_pos": [12], "n_neg": [300]})
    >>> print(landscape_finding(separation, validation))  # doctest: +NORMALIZE_WHITESPACE
    * Privacy and fairness/demography fall in separate communities in the reported run (privacy 3,
      fairness/demography 1), and in 1 of 2 seeds: the separation depends on the seed.
    * TrustNLP papers vs the rest, ROC AUC with relevance: 0.610 (95% CI 0.450–0.770; 12 vs 300
      papers); the CI includes 0.5, so this run cannot tell TrustNLP papers apart.
    """
    lines = []
    if len(separation):
        first = separation.iloc[0]
        flags = separation["separated"].dropna().astype(bool)
        n_sep, n_seeds = int(flags.sum()), len(separation)
        state = (
            "the test is undefined"
            if pd.isna(first["separated"])
            else ("fall in separate communities" if bool(first["separated"]) else "share a community")
        )
        robust = (
            "the same in every seed"
            if n_sep in (0, n_seeds) and len(flags) == n_seeds
            else "the separation depends on the seed"
        )
        lines.append(
            f"* Privacy and fairness/demography {state} in the reported run (privacy "
            f"{first['privacy_communities']}, fairness/demography {first['fairness_communities']}), "
            f"and in {n_sep} of {n_seeds} seeds: {robust}."
        )
    for _, row in validation.iterrows():
        if pd.isna(row["ci_low"]) or pd.isna(row["ci_high"]):
            reading = "too few papers for an interval"
        elif row["ci_low"] <= 0.5 <= row["ci_high"]:
            reading = "the CI includes 0.5, so this run cannot tell TrustNLP papers apart"
        else:
            side = "above" if row["ci_low"] > 0.5 else "below"
            reading = f"the CI lies {side} 0.5"
        lines.append(
            f"* TrustNLP papers vs the rest, ROC AUC with {row['score']}: {row['estimate']:.3f} "
            f"(95% CI {row['ci_low']:.3f}–{row['ci_high']:.3f}; {int(row['n_pos']):,} vs "
            f"{int(row['n_neg']):,} papers); {reading}."
        )
    return "\n".join(lines) if lines else "The landscape produced no test, so this run shows nothing."


@dataclass
class LandscapeResult:
    """Everything the study produces (tables are tidy DataFrames; figures matplotlib Figures).

    Attributes
    ----------
    params
        the settings used.
    corpus, dtm, graph
        tokenised papers, doc-term matrix, co-occurrence network.
    membership
        word -> community of the reported Louvain run (seed ``params.seed``).
    runs
        word x seed communities of the stability runs.
    stability
        pairwise AMI between seeds.
    concept_stability
        per concept and seed, Jaccard of its community's words with the
        reported run's.
    communities
        one row per community: size, top words, trustworthy label.
    top_words
        top words per community (long table).
    trustworthy
        concept -> community with the seed terms found.
    separation
        the privacy vs fairness/demography test, one row per seed.
    validation
        TrustNLP ROC AUC with bootstrap CI, one row per score.
    share_by_year
        trustworthy share of papers and mean relevance per year.
    paper_scores
        one row per paper: relevance per trustworthy label, dominant community.
    placement
        per community, the share of TrustNLP and of other same-year papers whose
        dominant community it is, and their mean relevance ratio (lift).
    timings
        seconds per stage.
    figures
        name -> Figure, closed so a notebook shows each where it asks (a cell ending in
        `result.figures["network_map"]` displays it).
    provenance
        dataset hash and graph size.
    """

    params: LandscapeParams
    corpus: Corpus
    dtm: DocTermMatrix
    graph: nx.Graph
    membership: pd.Series
    runs: pd.DataFrame
    stability: pd.DataFrame
    concept_stability: pd.DataFrame
    communities: pd.DataFrame
    top_words: pd.DataFrame
    trustworthy: pd.DataFrame
    separation: pd.DataFrame
    validation: pd.DataFrame
    share_by_year: pd.DataFrame
    paper_scores: pd.DataFrame
    placement: pd.DataFrame
    timings: pd.DataFrame
    figures: dict = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)

    def summary(self) -> Summary:
        """The findings: network size, communities, the claim test, the AUC (``.text()``: in words).

        >>> from trustkit.landscape.synthetic import small_landscape
        >>> result = small_landscape()
        >>> summary = result.summary()
        >>> summary["communities"], summary["separated"], summary["papers"]
        (4, 'SEPARATE', 320)
        """
        g, sep, v = self.graph, self.separation, self.validation
        n_sep = int(sep["separated"].fillna(False).astype(bool).sum())
        first = sep.iloc[0]
        lines = [
            f"{self.corpus.n_docs} papers {self.params.years[0]}-{self.params.years[1]}; network "
            f"{g.number_of_nodes()} words, {g.number_of_edges()} edges; "
            f"{self.membership.nunique()} Louvain communities "
            f"(resolution {self.params.resolution})",
            f"stability over {self.runs.shape[1]} seeds: AMI mean "
            f"{self.stability['ami'].mean():.3f} (min {self.stability['ami'].min():.3f})"
            if len(self.stability)
            else "stability: one seed",
        ]
        jaccard = self.concept_stability.groupby("concept", sort=False)["jaccard"].mean()
        for _, row in self.trustworthy.iterrows():
            lines.append(
                f"  {row['concept']}: community {row['community']} "
                f"(seed terms there: {row['terms_in_community'] or 'none'}; same words "
                f"across seeds, mean Jaccard "
                f"{jaccard.get(row['concept'], float('nan')):.2f})"
            )
        verdict = {True: "SEPARATE", False: "do NOT separate"}.get(
            None if pd.isna(first["separated"]) else bool(first["separated"]), "UNDEFINED"
        )
        lines.append(
            f"privacy vs fairness/demography: {verdict} in the reported run "
            f"(privacy {first['privacy_communities']}, fairness/demography "
            f"{first['fairness_communities']}); separated in {n_sep} of {len(sep)} seeds"
        )
        for _, row in v.iterrows():
            lines.append(
                f"TrustNLP AUC [{row['score']}]: {row['estimate']:.3f} "
                f"(95% CI {row['ci_low']:.3f}-{row['ci_high']:.3f}; {row['n_pos']} "
                f"TrustNLP vs {row['n_neg']} papers, {row['years']})"
            )
        lines.append(f"positives: {v['positive_venues'].iloc[0]}" if len(v) else "")
        lines.append(f"runtime {self.timings['seconds'].sum():.1f} s")
        values = {
            "papers": self.corpus.n_docs,
            "words": g.number_of_nodes(),
            "edges": g.number_of_edges(),
            "communities": int(self.membership.nunique()),
            "separated": verdict,
            "seeds separated": f"{n_sep} of {len(sep)}",
            **{f"TrustNLP AUC [{row['score']}]": row["estimate"] for _, row in v.iterrows()},
        }
        return Summary(values, title="research landscape", lines=lines)

    def save(self, out_dir, prefix: str = "05_landscape") -> list[Path]:
        """Write every table as CSV and every figure as PNG (with provenance) under ``out_dir``.

        >>> from trustkit.landscape.synthetic import small_landscape
        >>> result = small_landscape()
        >>> import tempfile
        >>> paths = result.save(tempfile.mkdtemp())
        >>> len(paths), paths[0].name, paths[-1].name
        (16, '05_landscape_communities.csv', '05_landscape_trustnlp_placement.png')
        """
        from trustkit.fileio import atomic_write_text
        from trustkit.provenance import RunContext, save_figure

        out = Path(out_dir)
        written = []
        for name in (
            "communities",
            "top_words",
            "trustworthy",
            "separation",
            "validation",
            "share_by_year",
            "stability",
            "concept_stability",
            "placement",
            "timings",
            "paper_scores",
        ):
            table = getattr(self, name)
            path = out / f"{prefix}_{name}.csv"
            written.append(atomic_write_text(path, table.to_csv(index=False)))
        written.append(atomic_write_text(out / f"{prefix}_summary.txt", self.summary().text() + "\n"))
        dataset = {
            "name": self.provenance.get("dataset"),
            "sha256": self.provenance.get("sha256"),
            "n_papers": self.provenance.get("n_papers"),
        }
        for name, fig in self.figures.items():
            save_figure(
                fig,
                f"{prefix}_{name}.png",
                RunContext(figures_dir=str(out)),
                datasets=[dataset],
                seed=self.params.seed,
                notes=f"landscape: {name}",
            )
            written.append(out / f"{prefix}_{name}.png")
        return written
