"""The linked views of ``trustkit.explore`` as one Vega-Lite v5 chart (Altair): brush, filters, table, detail.

Every view reads the same pair ids, so a brush on Δ or a filter narrows the table and a click on a
row fills the detail views (the pair's wordings with Δ each, and both sentences' per-token
log-probabilities). The layout does not depend on which pair is selected: every axis has a fixed
domain or a reserved extent, so nothing is laid out again (and nothing clipped) after a click, and
the whole chart fits a notebook at 1,440 px with the file browser open (:data:`WIDTH` + axes).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

__all__ = [
    "PLACEHOLDER",
    "TABLE_ROWS",
    "VEGALITE_MIME",
    "WIDTH",
    "linked_views",
    "mime_bundle",
    "token_views",
]

VEGALITE_MIME = "application/vnd.vegalite.v5+json"

#: rows of the pair table: the largest |Δ| among the pairs left by the brush and the filters
TABLE_ROWS = 15
#: width (px) of the full-width views; the y axes add about 60 px on the left
WIDTH = 760
#: what the detail views say before a row is clicked
PLACEHOLDER = "Click a row above: {what}"
#: x positions (px) of the table's columns, and the characters of sentence shown
# Column starts (px) wide enough for the longest values at 12 px: "physical-appearance" (bias type),
# "antistereo", "no paraphrase" (flipped); the sentence is cut to fit what is left of WIDTH.
_COLUMNS = (
    ("pair", "pair_id", 4),
    ("bias type", "bias_type", 44),
    ("direction", "direction", 184),
    ("Δ", "delta_text", 258),
    ("flipped", "flipped", 308),
    ("sent_more (original) · ⚑ known problem", "sent_more_short", 402),
)
_SENTENCE_CHARS = 50
_SIGN = alt.Scale(domain=["sent_more preferred", "sent_less preferred"], range=["#d55e00", "#0072b2"])
_DIFFERS = alt.Scale(domain=["differs between the sentences", "shared"], range=["#d55e00", "#9ca3af"])
#: token axis: labels turned 60° so that neighbours 16 px apart do not touch at 10 px
TOKEN_LABEL_ANGLE, TOKEN_LABEL_LIMIT, TOKEN_FONT = -60, 90, 10
_NOTHING_PICKED = "!length(data('pick_store'))"


def _short(field: str, n: int) -> str:
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


def _placeholder(what: str, x: float, height: int) -> alt.Chart:
    """A grey sentence in the middle of a detail view, shown only while no pair is selected."""
    return (
        alt.Chart(pd.DataFrame({"text": [PLACEHOLDER.format(what=what)]}))
        .transform_filter(_NOTHING_PICKED)
        .mark_text(fontSize=12, color="#6b7280", align="center", baseline="middle")
        .encode(text="text:N", x=alt.value(x), y=alt.value(height / 2))
    )


def _histogram(base: alt.Chart, pairs: pd.DataFrame, kept: str, brush) -> alt.LayerChart:
    """Stage 1: Δ per pair, all pairs in grey and those the filters keep in blue; drag to brush."""
    x = alt.X(
        "delta:Q",
        bin=alt.Bin(maxbins=40, extent=[float(pairs["delta"].min()), float(pairs["delta"].max())]),
        title="Δ = log P(sent_more) − log P(sent_less)  (drag to brush)",
    )
    every = base.mark_bar(color="#d0d7de").encode(x=x, y=alt.Y("count():Q", title="pairs")).add_params(brush)
    shown = base.transform_filter(kept).mark_bar(color="#0072b2").encode(x=x, y="count():Q")
    return alt.layer(every, shown).properties(
        width=WIDTH, height=110, title="Δ per pair (grey: all; blue: those the filters keep)"
    )


def _pair_table(base: alt.Chart, kept: str, brush, pick) -> tuple[alt.Chart, alt.LayerChart]:
    """Stage 2: the header and the rows (largest |Δ| of what the brush and filters leave); click picks."""
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
            x2=alt.value(WIDTH),
            color=alt.condition(pick, alt.value("#fde68a"), alt.value("#ffffff")),
            tooltip=[
                "pair_id:Q",
                "bias_type:N",
                "direction:N",
                alt.Tooltip("delta:Q", format="+.3f"),
                "flipped:N",
                alt.Tooltip("flag_text:N", title="known problem"),
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
    header = (
        alt.Chart(pd.DataFrame({"name": [c[0] for c in _COLUMNS], "px": [c[2] for c in _COLUMNS]}))
        .mark_text(align="left", fontWeight="bold", fontSize=12)
        .encode(x=alt.X("px:Q", scale=None, axis=None), text="name:N")
        .properties(
            width=WIDTH,
            height=14,
            title=f"Pairs: the {TABLE_ROWS} largest |Δ| of those brushed and filtered "
            "(click a row; double-click clears)",
        )
    )
    return header, alt.layer(hit, *cells).properties(width=WIDTH, height=alt.Step(20))


def _wordings_view(wordings: pd.DataFrame, pick) -> alt.HConcatChart:
    """Stage 3: Δ of each wording of the picked pair, beside its sentences (fixed axes: no relayout)."""
    names = wordings.drop_duplicates("para_index").sort_values("para_index")["wording"].tolist()
    reach = float(wordings["delta"].abs().max()) if len(wordings) else 1.0
    height = 30 * max(len(names), 1)
    chosen = (
        alt.Chart(wordings)
        .transform_filter(pick)
        .transform_calculate(
            sign="datum.delta > 0 ? 'sent_more preferred' : 'sent_less preferred'",
            text=f"'more: ' + {_short('sent_more', _SENTENCE_CHARS)} + '\\nless: ' + "
            f"{_short('sent_less', _SENTENCE_CHARS)}",
        )
    )
    wy = alt.Y("wording:N", scale=alt.Scale(domain=names), title=None)
    bars = (
        chosen.mark_bar()
        .encode(
            y=wy.axis(labelLimit=90, minExtent=90),
            x=alt.X("delta:Q", title="Δ of each wording", scale=alt.Scale(domain=[-reach, reach], nice=True)),
            color=alt.Color("sign:N", scale=_SIGN, legend=alt.Legend(orient="bottom", title=None)),
            tooltip=["wording:N", alt.Tooltip("delta:Q", format="+.3f")],
        )
        .properties(name="detail_wordings")
    )
    texts = chosen.mark_text(align="left", lineBreak="\n", fontSize=11).encode(
        y=wy.axis(None), x=alt.value(0), text="text:N"
    )
    return alt.hconcat(
        alt.layer(bars, _placeholder("Δ", 130, height)).properties(
            width=260, height=height, title="Selected pair: Δ per wording"
        ),
        alt.layer(
            texts, _placeholder("the pair's sentences and their paraphrases show here", 200, height)
        ).properties(width=400, height=height, title="its wordings"),
    )


def token_views(tokens: pd.DataFrame, pick=None, *, name: str = "live_tokens") -> alt.VConcatChart:
    """Stage 4: both sentences' per-token log-probabilities, one full-width row each, tokens labelled.

    ``pick``: the table's selection (the pair shown is the one clicked; a placeholder before);
    None shows every row of ``tokens`` (one pair: the live scorer's). ``name``: the bars are
    named ``{name}_more`` and ``{name}_less``.

    Example
    -------
    >>> t = pd.DataFrame({"pair_id": 0, "sentence": ["sent_more", "sent_less"], "position": 0,
    ...                   "token": ["poor", "rich"], "label": ["00 poor", "00 rich"],
    ...                   "log_prob": [-3.0, -4.0], "differs": True})
    >>> len(token_views(t).to_dict()["vconcat"])
    2
    """
    low = float(tokens["log_prob"].min())
    picked = alt.Chart(tokens) if pick is None else alt.Chart(tokens).transform_filter(pick)
    picked = picked.transform_calculate(where="datum.differs ? 'differs between the sentences' : 'shared'")
    axis = alt.Axis(
        labelAngle=TOKEN_LABEL_ANGLE,
        labelLimit=TOKEN_LABEL_LIMIT,
        labelOverlap=False,
        labelFontSize=TOKEN_FONT,
        minExtent=TOKEN_LABEL_LIMIT,
    )
    views = []
    for sentence, legend in (("sent_more", None), ("sent_less", alt.Legend(orient="bottom", title=None))):
        bars = (
            picked.transform_filter(f"datum.sentence == '{sentence}'")
            .mark_bar()
            .encode(
                x=alt.X("label:N", sort=alt.SortField("position"), title=None, axis=axis),
                y=alt.Y("log_prob:Q", title="log-prob", scale=alt.Scale(domain=[min(low, -1.0), 0])),
                color=alt.Color("where:N", scale=_DIFFERS, legend=legend),
                tooltip=["token:N", alt.Tooltip("log_prob:Q", format=".3f"), "where:N"],
            )
            .properties(name=f"{name}_{sentence.split('_')[1]}")
        )
        hint = (
            [] if pick is None else [_placeholder("each token's log-probability shows here", WIDTH / 2, 55)]
        )
        views.append(
            alt.layer(bars, *hint).properties(
                width=WIDTH, height=110, title=f"{sentence}: log-probability of each token (orange: differs)"
            )
        )
    return alt.vconcat(*views).resolve_scale(x="independent")


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
    the detail views of the selected pair (a placeholder sentence until a row is clicked).

    Example
    -------
    >>> from trustkit.explorer.tables import pair_rows, wording_rows
    >>> t = pd.DataFrame({"pair_id": [1, 1, 2], "para_index": [0, 1, 0], "bias_type": "age",
    ...                   "direction": "stereo", "delta": [0.5, -0.5, 2.0]})
    >>> chart = linked_views(pair_rows(t), wording_rows(t), None, "my model")
    >>> [view.get("name") for view in chart.to_dict()["vconcat"][2]["layer"][:1]]
    ['pair_rows']
    """
    flags = pairs["flag"] if "flag" in pairs.columns else pd.Series("", index=pairs.index)
    shown = [("⚑ " if f else "") + s for s, f in zip(pairs["sent_more"], flags, strict=True)]
    pairs = pairs.assign(
        delta_text=pairs["delta"].map(lambda v: f"{v:+.2f}"),
        flag_text=[f or "none" for f in flags],
        sent_more_short=[s if len(s) <= _SENTENCE_CHARS else s[: _SENTENCE_CHARS - 1] + "…" for s in shown],
    )
    brush = alt.selection_interval(name="brush", encodings=["x"])
    pick = alt.selection_point(name="pick", fields=["pair_id"], on="click", empty=False, clear="dblclick")
    params, kept = _filters(pairs)
    base = alt.Chart(pairs)
    header, table = _pair_table(base, kept, brush, pick)
    detail: list[alt.HConcatChart | alt.VConcatChart] = [_wordings_view(wordings, pick)]
    if tokens is not None and len(tokens):
        detail.append(token_views(tokens, pick, name="detail_tokens"))
    chart = (
        alt.vconcat(
            _histogram(base, pairs, kept, brush),
            header,
            table,
            *detail,
            title=alt.TitleParams(title, anchor="start"),
            autosize=alt.AutoSizeParams(type="pad", resize=True),
            padding={"left": 8, "top": 5, "right": 8, "bottom": 5},
        )
        .add_params(*params)
        .resolve_scale(color="independent")
    )
    return chart.configure_view(stroke=None).configure_concat(spacing=16)


def mime_bundle(chart: alt.TopLevelMixin, text: str) -> tuple[dict, dict]:
    """The chart as JupyterLab draws it natively: Vega-Lite v5 with its data inline, SVG, no actions.

    Emitted directly rather than through Altair's renderer setting, whose default loads its scripts
    from the web; SVG so the marks are elements a browser test can find and click.

    >>> data, meta = mime_bundle(alt.Chart(pd.DataFrame({"x": [1]})).mark_point(), "one point")
    >>> sorted(data), meta[VEGALITE_MIME]["embed_options"]["renderer"]
    (['application/vnd.vegalite.v5+json', 'text/plain'], 'svg')
    """
    with alt.data_transformers.enable("default", max_rows=None):
        spec = chart.to_dict()
    return {VEGALITE_MIME: spec, "text/plain": text}, {
        VEGALITE_MIME: {"embed_options": {"renderer": "svg", "actions": False}}
    }
