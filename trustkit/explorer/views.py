"""The linked views of ``trustkit.explore`` as one Vega-Lite v5 chart (Altair): brush, filters, table, detail.

Every view reads the same pair ids, so a brush on Δ or a filter narrows the table and a click on a
row fills the detail views (the pair's wordings with Δ each, and both sentences' per-token log-probabilities).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

__all__ = ["TABLE_ROWS", "linked_views"]

#: rows of the pair table: the largest |Δ| among the pairs left by the brush and the filters
TABLE_ROWS = 15
_WIDTH = 860
#: x positions (px) of the table's columns
_COLUMNS = (
    ("pair", "pair_id", 4),
    ("bias type", "bias_type", 60),
    ("direction", "direction", 200),
    ("Δ", "delta_text", 285),
    ("flipped", "flipped", 345),
    ("sent_more (original)", "sent_more_short", 420),
)
_SIGN = alt.Scale(domain=["sent_more preferred", "sent_less preferred"], range=["#d55e00", "#0072b2"])


def _short(field: str, n: int = 78) -> str:
    """A Vega expression: the field cut to ``n`` characters, with an ellipsis when cut (text marks do not wrap)."""
    return f"(length(datum.{field}) > {n} ? substring(datum.{field}, 0, {n - 1}) + '…' : datum.{field})"


def _filters(pairs: pd.DataFrame):
    """The table's filters as bound Vega-Lite parameters, and the expression that applies them."""
    types = sorted(pairs["bias_type"].astype(str).unique())
    top = float(pairs["abs_delta"].max()) if len(pairs) else 1.0
    params = [
        alt.param(
            name="f_bias_type",
            value="all",
            bind=alt.binding_select(options=["all", *types], name="bias type "),
        ),
        alt.param(
            name="f_direction",
            value="all",
            bind=alt.binding_select(options=["all", "stereo", "antistereo"], name="direction "),
        ),
        alt.param(
            name="f_flipped",
            value="all",
            bind=alt.binding_select(
                options=["all", "yes", "no", "no paraphrase"], name="flipped under paraphrase "
            ),
        ),
        alt.param(
            name="f_min_abs_delta",
            value=0.0,
            bind=alt.binding_range(min=0.0, max=round(top, 2) or 1.0, step=0.05, name="|Δ| at least "),
        ),
    ]
    expression = (
        "(f_bias_type == 'all' || datum.bias_type == f_bias_type) && "
        "(f_direction == 'all' || datum.direction == f_direction) && "
        "(f_flipped == 'all' || datum.flipped == f_flipped) && datum.abs_delta >= f_min_abs_delta"
    )
    return params, expression


def linked_views(
    pairs: pd.DataFrame, wordings: pd.DataFrame, tokens: pd.DataFrame | None, title: str
) -> alt.VConcatChart:
    """Build the explorer chart from :mod:`trustkit.explorer.tables`' three tables.

    Parameters
    ----------
    pairs, wordings, tokens : ``pair_rows``, ``wording_rows`` and ``token_rows`` (tokens may be None).
    title : the chart's title (model and data).

    Returns
    -------
    An Altair chart: Δ histogram (brush on x), filter widgets, the pair table (click a row), and
    the detail views of the selected pair.

    Example
    -------
    >>> chart = linked_views(pair_rows(scored), wording_rows(scored), None, "my model")  # doctest: +SKIP
    """
    pairs = pairs.assign(
        delta_text=pairs["delta"].map(lambda v: f"{v:+.2f}"),
        sent_more_short=pairs["sent_more"].str.slice(0, 70),
    )
    brush = alt.selection_interval(name="brush", encodings=["x"])
    pick = alt.selection_point(name="pick", fields=["pair_id"], on="click", empty=False, clear="dblclick")
    params, kept = _filters(pairs)
    base = alt.Chart(pairs)
    x = alt.X(
        "delta:Q",
        bin=alt.Bin(maxbins=40, extent=[float(pairs["delta"].min()), float(pairs["delta"].max())]),
        title="Δ = log P(sent_more) − log P(sent_less)  (drag to brush)",
    )
    every = base.mark_bar(color="#d0d7de").encode(x=x, y=alt.Y("count():Q", title="pairs")).add_params(brush)
    shown = base.transform_filter(kept).mark_bar(color="#0072b2").encode(x=x, y="count():Q")
    histogram = alt.layer(every, shown).properties(
        width=_WIDTH, height=130, title="Δ per pair (grey: all; blue: those the filters keep)"
    )

    rows = (
        base.transform_filter(kept)
        .transform_filter(brush)
        .transform_window(row="row_number()", sort=[alt.SortField("abs_delta", order="descending")])
        .transform_filter(f"datum.row <= {TABLE_ROWS}")
    )
    y = alt.Y("row:O", axis=None)
    hit = (
        rows.mark_rect()
        .encode(
            y=y,
            x=alt.value(0),
            x2=alt.value(_WIDTH),
            color=alt.condition(pick, alt.value("#fde68a"), alt.value("#ffffff")),
            tooltip=[
                "pair_id:Q",
                "bias_type:N",
                "direction:N",
                alt.Tooltip("delta:Q", format="+.3f"),
                "flipped:N",
                "sent_more:N",
                "sent_less:N",
            ],
        )
        .add_params(pick)
        .properties(name="pair_rows")
    )
    cells = [
        rows.mark_text(align="left", baseline="middle", fontSize=12).encode(
            y=y, x=alt.value(px), text=f"{field}:N"
        )
        for _, field, px in _COLUMNS
    ]
    table = alt.layer(hit, *cells).properties(width=_WIDTH, height=alt.Step(20))
    header = (
        alt.Chart(pd.DataFrame({"name": [c[0] for c in _COLUMNS], "px": [c[2] for c in _COLUMNS]}))
        .mark_text(align="left", fontWeight="bold", fontSize=12)
        .encode(x=alt.X("px:Q", scale=None, axis=None), text="name:N")
        .properties(
            width=_WIDTH,
            height=14,
            title=f"Pairs: the {TABLE_ROWS} largest |Δ| of those brushed and filtered "
            "(click a row; double-click clears; filters under the chart)",
        )
    )

    chosen = (
        alt.Chart(wordings)
        .transform_filter(pick)
        .transform_calculate(
            sign="datum.delta > 0 ? 'sent_more preferred' : 'sent_less preferred'",
            text=f"'more: ' + {_short('sent_more')} + '\\nless: ' + {_short('sent_less')}",
        )
    )
    wy = alt.Y("wording:N", sort=alt.SortField("para_index"), title=None)
    bars = (
        chosen.mark_bar()
        .encode(
            y=wy,
            x=alt.X("delta:Q", title="Δ of each wording"),
            color=alt.Color("sign:N", scale=_SIGN, legend=alt.Legend(orient="bottom", title=None)),
            tooltip=["wording:N", alt.Tooltip("delta:Q", format="+.3f")],
        )
        .properties(name="detail_wordings")
    )
    texts = chosen.mark_text(align="left", lineBreak="\n", fontSize=11).encode(
        y=wy, x=alt.value(0), text="text:N"
    )
    detail = [
        alt.hconcat(
            bars.properties(width=300, height=alt.Step(34), title="Selected pair: Δ per wording"),
            texts.properties(width=520, height=alt.Step(34), title="its wordings"),
        )
    ]
    if tokens is not None and len(tokens):
        tok = (
            alt.Chart(tokens)
            .transform_filter(pick)
            .mark_bar()
            .encode(
                x=alt.X(
                    "label:N",
                    sort="ascending",
                    title=None,
                    axis=alt.Axis(labelAngle=-50, labelLimit=120, labelOverlap=False, labelFontSize=10),
                ),
                y=alt.Y("log_prob:Q", title="log-probability"),
                color=alt.Color(
                    "differs:N",
                    scale=alt.Scale(domain=[True, False], range=["#d55e00", "#9ca3af"]),
                    legend=alt.Legend(title="differs between the sentences", orient="bottom"),
                ),
                tooltip=["token:N", alt.Tooltip("log_prob:Q", format=".3f"), "differs:N"],
            )
            .properties(width=380, height=170)
        )
        detail.append(
            alt.hconcat(
                tok.transform_filter("datum.sentence == 'sent_more'").properties(
                    title="sent_more: log-probability per token", name="detail_tokens_more"
                ),
                tok.transform_filter("datum.sentence == 'sent_less'").properties(
                    title="sent_less: log-probability per token", name="detail_tokens_less"
                ),
            ).resolve_scale(y="shared")
        )
    # resize: lay out again whenever a selection fills the detail views (their labels change the size)
    chart = (
        alt.vconcat(
            histogram,
            header,
            table,
            *detail,
            title=title,
            autosize=alt.AutoSizeParams(type="pad", resize=True),
        )
        .add_params(*params)
        .resolve_scale(color="independent")
    )
    return chart.configure_view(stroke=None).configure_concat(spacing=14)
