"""``trustkit metrics``: the registered metrics (``trustkit.scoring.registry``) and their cards."""

from __future__ import annotations


def register(subparsers) -> None:
    """Add the ``metrics`` sub-command."""
    p = subparsers.add_parser(
        "metrics",
        help="list the metrics, or show one metric's card (formula, ties, reference)",
        description="Without a name: one line per metric (name, model kind, unit, title). With a "
        "name: its card. --markdown prints every card (the text of docs/metrics.md).",
    )
    p.add_argument("name", nargs="?", metavar="NAME", help="a metric name, e.g. pll")
    p.add_argument("--markdown", action="store_true", help="print every card as Markdown")
    p.set_defaults(func=run)


def run(args) -> int:
    """Run ``trustkit metrics``: list the metrics, print one metric's card, or every card as Markdown."""
    from trustkit.metrics.cards import metric_card, metric_cards_markdown
    from trustkit.scoring.registry import METRIC_TABLE

    if args.markdown:
        print(metric_cards_markdown(), end="")
    elif args.name:
        print(metric_card(args.name))
    else:
        for m in METRIC_TABLE:
            print(f"{m.name:<13} {m.kind:<7} {m.unit:<9} {m.title}")
    return 0
