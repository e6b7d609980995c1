"""What ``trustkit score`` (and ``trustkit report``) print: the CrowS-style summary and extra lines.

A helper module of the CLI, not a sub-command (its name starts with ``_``).
"""

from __future__ import annotations


def format_summary(summary: dict, metric: str) -> str:
    """The CrowS-style summary as printed by ``trustkit score``.

    Example
    -------
    >>> print(format_summary({"metric_score": 60.0, "stereo_score": 61.0, "antistereo_score": 55.0,
    ...     "n": 10, "n_stereo": 8, "n_antistereo": 2, "neutral": 0, "neutral_pct": 0.0}, "crows"))
    ... # doctest: +NORMALIZE_WHITESPACE
    metric crows: metric score 60.00 (50 = unbiased) | stereo 61.00% of 8 |
    antistereo 55.00% of 2 | n 10 | ties 0 (0.00%)
    """
    anti = (
        f"antistereo {summary['antistereo_score']:.2f}% of {summary['n_antistereo']}"
        if summary["n_antistereo"]
        else "no antistereo pairs"
    )  # e.g. WinoBias: every pair is stereo
    return (
        f"metric {metric}: metric score {summary['metric_score']:.2f} (50 = unbiased) | "
        f"stereo {summary['stereo_score']:.2f}% of {summary['n_stereo']} | {anti} | "
        f"n {summary['n']} | ties {summary['neutral']} ({summary['neutral_pct']:.2f}%)"
    )


def utility_line(utility: dict) -> str:
    """One line for a utility score (``trustkit.metrics.utility.perplexity``).

    Example
    -------
    >>> print(utility_line({"kind": "perplexity", "perplexity": 21.04, "bits_per_byte": 0.9712,
    ...     "n_texts": 100, "n_tokens": 17000, "text": {"dataset": "acl_anthology", "year": 2024, "seed": 0}}))
    utility: perplexity 21.04 per token, 0.971 bits per byte (100 texts, 17000 tokens; acl_anthology 2024, seed 0)
    """
    text = utility.get("text") or {}
    where = f"; {text.get('dataset')} {text.get('year')}, seed {text.get('seed')}" if text else ""
    if utility.get("n_left_out"):
        where += f"; {utility['n_left_out']} longer than the model's window left out"
    return (
        f"utility: {utility['kind']} {utility['perplexity']:.2f} per token, {utility['bits_per_byte']:.3f} "
        f"bits per byte ({utility['n_texts']} texts, {utility['n_tokens']} tokens{where})"
    )


def report_lines(scored, pairs, metric: str) -> list[str]:
    """Extra lines of the printout: rows the loader could not score; per-group scores with CIs."""
    lines = []
    dropped = pairs.attrs.get("dropped", [])
    if dropped:
        listing = "; ".join(f"line {d['line']} (row {d['source_row']}): {d['reason']}" for d in dropped)
        lines.append(f"{len(dropped)} unscorable row(s) of {dropped[0]['file']} not scored: {listing}")
    if pairs.attrs.get("source") == "winobias":
        from trustkit.stats.winobias import winobias_scores

        table = winobias_scores(scored, metric=metric)
        lines.append(
            "WinoBias bias score (100 x share of pairs where the pro-stereotyped sentence scores "
            "higher; 95% bootstrap CI):"
        )
        lines += [
            f"  {r.facet:<15} {r.group:<8} {r.estimate:6.2f} [{r.ci_low:6.2f}, {r.ci_high:6.2f}]  "
            f"n {r.n}  ties {r.n_ties}"
            for r in table.itertuples()
        ]
        odd = int((~scored["only_pronoun_differs"]).sum())
        if odd:
            lines.append(
                f"  note: {odd} pair(s) differ beyond the pronoun in the published files (kept; "
                "column only_pronoun_differs)"
            )
    return lines
