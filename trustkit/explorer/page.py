"""The explorer saved as one HTML page: pair text that cannot run as script, and Vega embedded.

``Explorer.save("x.html")`` and ``explore(...).chart.save("x.html")`` both write it (the chart's
own ``save`` and ``to_html`` are routed here for HTML).
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["ScriptSafeEncoder", "page_html", "script_safe_json", "vega_bundle"]

# Inside <script>, "</script>" or "<!--" in a string would end or change the block; U+2028/2029
# end a line in older JavaScript. As \uXXXX escapes they stay the same characters in the data.
_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}

#: shown on a page that loads its libraries from the CDN (vl-convert-python not installed)
NETWORK_NOTE = (
    "This page loads Vega, Vega-Lite and vega-embed from cdn.jsdelivr.net: without the network it "
    "shows no chart. Install vl-convert-python (pip install 'trustkit[lab]') and save it again to "
    "embed them."
)


def _escape(text: str) -> str:
    for char, escape in _ESCAPES.items():
        text = text.replace(char, escape)
    return text


class ScriptSafeEncoder(json.JSONEncoder):
    r"""JSON that can sit inside an HTML ``<script>`` block: ``<``, ``>``, ``&``, U+2028/9 as escapes.

    Outside strings JSON has none of these characters, so escaping the whole text is exact.

    >>> json.dumps({"t": "</script><img src=x>"}, cls=ScriptSafeEncoder)
    '{"t": "\\u003c/script\\u003e\\u003cimg src=x\\u003e"}'
    """

    def encode(self, o) -> str:
        """The whole document, escaped."""
        return _escape(super().encode(o))

    def iterencode(self, o, _one_shot: bool = False):
        """Chunk by chunk, escaped (``json.dump`` writes these)."""
        for chunk in super().iterencode(o, _one_shot):
            yield _escape(chunk)


def script_safe_json(value) -> str:
    """``json.dumps`` for a ``<script>`` block (see :class:`ScriptSafeEncoder`).

    >>> json.loads(script_safe_json(["a&b"])) == ["a&b"]
    True
    """
    return json.dumps(value, cls=ScriptSafeEncoder)


def vega_bundle() -> str | None:
    """vega, vega-lite and vega-embed as one script, from vl-convert-python; None when it is absent.

    >>> bundle = vega_bundle()
    >>> bundle is None or "vegaEmbed" in bundle
    True
    """
    try:
        import vl_convert
        from altair.utils._importers import vl_version_for_vl_convert
    except ImportError:
        return None
    bundle = vl_convert.javascript_bundle(vl_version=vl_version_for_vl_convert())
    if "</script" in bundle.lower():  # would end the block it is embedded in
        raise RuntimeError("the vl-convert JavaScript bundle cannot be embedded in a <script> block")
    return bundle


def page_html(chart) -> str:
    r"""One self-contained HTML page for an Altair chart, its data escaped for the ``<script>`` block.

    With vl-convert-python installed the page embeds vega, vega-lite and vega-embed and needs no
    network; without it, it loads them from the CDN and says so at the top of the page.

    >>> import altair as alt, pandas as pd
    >>> chart = alt.Chart(pd.DataFrame({"s": ["</script><b>"]})).mark_text().encode(text="s")
    >>> html = page_html(chart)
    >>> "</script><b>" in html, "\\u003c/script\\u003e\\u003cb\\u003e" in html
    (False, True)
    """
    import altair as alt
    from altair.utils.html import spec_to_html

    with alt.data_transformers.enable("default", max_rows=None):
        spec = chart.to_dict()
    bundle = vega_bundle()
    html = spec_to_html(
        spec,
        mode="vega-lite",
        vega_version=alt.VEGA_VERSION,
        vegalite_version=alt.VEGALITE_VERSION,
        vegaembed_version=alt.VEGAEMBED_VERSION,
        embed_options={"renderer": "svg", "actions": False},
        json_kwds={"cls": ScriptSafeEncoder},
        template="standard" if bundle is None else "inline",
    )
    title = chart.title if isinstance(getattr(chart, "title", None), str) else "trustkit explorer"
    head = f"<title>{_escape_text(title)}</title>"
    html = html.replace('<meta charset="UTF-8">', f'<meta charset="UTF-8">\n  {head}', 1)
    if bundle is None:
        note = f'<p class="trustkit-network-note">{_escape_text(NETWORK_NOTE)}</p>'
        html = html.replace("<body>", f"<body>\n{note}", 1)
    return html


def _escape_text(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def write_page(chart, fp) -> None:
    """Write :func:`page_html` to a path (atomically) or to an open text file."""
    from trustkit.fileio import atomic_write_text

    html = page_html(chart)
    if isinstance(fp, str | Path):
        atomic_write_text(fp, html)
    else:
        fp.write(html)


class _SafePage:
    """Mixed into the explorer's chart: its HTML ``save`` and ``to_html`` write :func:`page_html`."""

    def save(self, fp, format=None, **kwargs):
        name = str(fp) if isinstance(fp, str | Path) else ""
        if (format or Path(name).suffix.lstrip(".").lower()) == "html":
            return write_page(self, fp)
        return super().save(fp, format=format, **kwargs)

    def to_html(self, *args, **kwargs) -> str:
        return page_html(self)


def safe_to_save(chart):
    """The same chart, whose ``.save("x.html")`` and ``.to_html()`` write a safe page.

    The class of the chart object is swapped for a subclass (the object, its data and every
    other method stay as Altair made them), so ``explore(...).chart.save(...)`` is safe too.

    >>> import altair as alt, pandas as pd
    >>> chart = safe_to_save(alt.vconcat(alt.Chart(pd.DataFrame({"x": [1]})).mark_point()))
    >>> "<title>trustkit explorer</title>" in chart.to_html(), isinstance(chart, alt.VConcatChart)
    (True, True)
    """
    base = type(chart)
    if not issubclass(base, _SafePage):
        # object.__setattr__: Altair's own __setattr__ would store "__class__" as a chart property
        object.__setattr__(
            chart, "__class__", _SAFE.setdefault(base, type(base.__name__, (_SafePage, base), {}))
        )
    return chart


_SAFE: dict[type, type] = {}
