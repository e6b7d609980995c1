"""trustkit's one house style for figures: a colour-blind-safe palette, text and sizes that fit a notebook.

Every figure function in trustkit.plots draws inside :func:`house_style` and returns the Figure;
sizes and font sizes follow :mod:`trustkit.plots.policy`; saving (with provenance) is
:func:`trustkit.provenance.save_figure`'s job.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator

import matplotlib as mpl
import pandas as pd
import seaborn as sns
from cycler import cycler

from trustkit.plots.policy import DISPLAY_DPI, FONT_PX, fit_figsize, px_to_pt

__all__ = [
    "CONTROL_SUFFIX",
    "FIGSIZE",
    "LABEL_PT",
    "LINE_COLOURS",
    "MIN_PAIRS",
    "PALETTE",
    "SMALL_PT",
    "TITLE_PT",
    "house_style",
    "model_label",
    "model_labels",
    "styled",
]

#: seaborn's colour-blind-safe palette (Wong-like), used for every categorical colour
PALETTE = sns.color_palette("colorblind")
#: appended to the label of a model flagged ``is_control``
CONTROL_SUFFIX = " (random control)"
FIGSIZE = fit_figsize(10, 5.5)
#: font sizes in points: titles at the policy's largest size, ticks and legends at its smallest
TITLE_PT, LABEL_PT, SMALL_PT = px_to_pt(FONT_PX[1]), px_to_pt(11.0), px_to_pt(FONT_PX[0])
#: line colours for many series: the palette without its second pink and its grey, which read as
#: the pink and the "greyed out" of other lines
LINE_COLOURS = [c for i, c in enumerate(PALETTE) if i not in (6, 7)]
#: groups (e.g. bias types) with fewer pairs than this are hidden or greyed out in figures and tables
MIN_PAIRS = 10

_RC = {
    "figure.figsize": FIGSIZE,
    "figure.dpi": DISPLAY_DPI,
    "savefig.dpi": 200,
    "savefig.bbox": "tight",
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "none",  # keep text as text in SVG, editable and searchable
    "legend.frameon": False,
}


def _style_settings() -> dict:
    """Every rcParam the house style sets: ours, then seaborn's, then the palette.

    Seaborn's are its "whitegrid" style and "notebook" context, which win where they overlap ours;
    font sizes are the policy's (10-12 px at display size), whatever seaborn's context says.
    """
    fonts = {
        "font.size": LABEL_PT,
        "axes.titlesize": TITLE_PT,
        "figure.titlesize": TITLE_PT,
        "axes.labelsize": LABEL_PT,
        "xtick.labelsize": SMALL_PT,
        "ytick.labelsize": SMALL_PT,
        "legend.fontsize": SMALL_PT,
        "legend.title_fontsize": SMALL_PT,
    }
    return {
        **_RC,
        **sns.axes_style("whitegrid"),
        **sns.plotting_context("notebook"),
        **fonts,
        "axes.prop_cycle": cycler(color=PALETTE),
    }


@contextlib.contextmanager
def _scoped_rc(settings: dict) -> Iterator[None]:
    """Apply ``settings`` and restore exactly those keys afterwards, nothing else.

    Unlike ``matplotlib.rc_context``, which restores *every* rcParam, this leaves alone what
    happens to other settings inside the block: the first figure of a Jupyter kernel sets up the
    inline backend there and turns interactive mode on, and restoring ``interactive=False`` on
    exit would stop every later figure from being displayed.
    """
    saved = {key: mpl.rcParams[key] for key in settings}
    mpl.rcParams.update(settings)
    try:
        yield
    finally:
        mpl.rcParams.update(saved)


@contextlib.contextmanager
def house_style() -> Iterator[None]:
    """Context manager applying the house style (white grid, colour-blind palette, 10-12 px text).

    The style is scoped: the settings it changes are restored on exit, so a notebook's own
    settings survive; matplotlib's backend and interactive mode are never touched, so figures
    drawn inside it display in Jupyter like any other.

    Example
    -------
    >>> import matplotlib, matplotlib.pyplot as plt
    >>> before = matplotlib.is_interactive()
    >>> with house_style():
    ...     fig, ax = plt.subplots()
    >>> matplotlib.is_interactive() == before
    True
    >>> plt.close(fig)
    """
    with _scoped_rc(_style_settings()):
        yield


def styled(plot):
    """Decorator: draw the figure function ``plot`` inside :func:`house_style`.

    Example
    -------
    >>> import matplotlib.pyplot as plt
    >>> @styled
    ... def tiny():
    ...     return plt.subplots()[0]
    >>> fig = tiny(); fig.dpi == DISPLAY_DPI
    True
    >>> plt.close(fig)
    """

    @functools.wraps(plot)
    def wrapper(*args, **kwargs):
        with house_style():
            return plot(*args, **kwargs)

    return wrapper


def model_label(name: str, is_control: bool = False) -> str:
    """Display name of a model; a random-weight control is always labelled as one.

    Example
    -------
    >>> model_label("bert-base", is_control=True)
    'bert-base (random control)'
    """
    return f"{name}{CONTROL_SUFFIX}" if is_control else str(name)


def model_labels(table: pd.DataFrame, model_col: str = "model", default: str = "model") -> pd.Series:
    """Per-row model labels, with the control suffix where an ``is_control`` column is true.

    A label is the row's ``model_col`` (or ``default`` when that column is absent).

    Example
    -------
    >>> model_labels(pd.DataFrame({"model": ["a", "b"], "is_control": [False, True]})).tolist()
    ['a', 'b (random control)']
    """
    names = (
        table[model_col].astype(str) if model_col in table.columns else pd.Series(default, index=table.index)
    )
    if "is_control" in table.columns:
        control = table["is_control"].fillna(False).astype(bool)
        names = names.where(~control, names + CONTROL_SUFFIX)
    return names
