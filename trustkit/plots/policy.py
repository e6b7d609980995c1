"""The one figure-size policy: every figure fits JupyterLab's notebook area on a 1,440 x 900 screen.

Sizes are in CSS pixels at display size. JupyterLab's inline backend draws a figure at its own dpi,
one dot per CSS pixel, so a figure of ``w`` inches shows ``w * DISPLAY_DPI`` pixels wide; a PNG
saved at another dpi shows ``pixels * DISPLAY_DPI / its dpi``. :func:`figure_problems` checks a
drawn figure against the policy (size, font sizes, overlapping text); :func:`png_display_size`
reads a saved PNG's display size from its header.
"""

from __future__ import annotations

import itertools
import os
import struct
from pathlib import Path

import matplotlib.text as mtext
from matplotlib.backends.backend_agg import FigureCanvasAgg

__all__ = [
    "DISPLAY_DPI",
    "FONT_PX",
    "MAX_HEIGHT_PX",
    "MAX_WIDTH_PX",
    "figure_problems",
    "fit_figsize",
    "png_display_size",
    "px_to_pt",
]

#: dots per inch of a figure in a notebook: the house style's ``figure.dpi``
DISPLAY_DPI = 100
#: width of a JupyterLab 4.6 notebook's output area in Chromium in a 1,440 x 900 window, with the
#: file browser open as it opens (measured: 993 px; 1,245 px with it closed). A wider figure is
#: scaled down to fit, and its text with it, below the policy's 10 px.
MAX_WIDTH_PX = 990
#: notebook height visible in that window below the menu, tab bar and toolbar (measured: 636 px of
#: a 757 px viewport), so that a figure's title and its x axis are on screen together
MAX_HEIGHT_PX = 630
#: smallest and largest text at display size: ticks and legends at the low end, titles at the top
FONT_PX = (10.0, 12.0)
#: the room ``bbox_inches="tight"`` may add around the axes (outside legends, suptitles), kept free
_MARGIN_PX = 40
#: two text boxes may touch by this much (antialiasing, the descent of one line above the next)
_OVERLAP_TOLERANCE_PX = 1.0


def px_to_pt(px: float) -> float:
    """Font size in points that shows ``px`` pixels tall at :data:`DISPLAY_DPI`.

    >>> px_to_pt(12.0)
    8.64
    """
    return round(px * 72 / DISPLAY_DPI, 2)


def fit_figsize(width: float, height: float) -> tuple[float, float]:
    """``(width, height)`` in inches, shrunk to fit the notebook area (with room for outside legends).

    A figure function asks for the size its content wants (e.g. a height per row of categories);
    this caps it, so that a long list of rows packs tighter instead of running off the screen.

    >>> fit_figsize(9, 12)
    (9, 5.9)
    """
    max_w = (MAX_WIDTH_PX - _MARGIN_PX) / DISPLAY_DPI
    max_h = (MAX_HEIGHT_PX - _MARGIN_PX) / DISPLAY_DPI
    return min(width, max_w), min(height, max_h)


def png_display_size(path: str | os.PathLike) -> tuple[float, float]:
    """Width and height in CSS pixels at which a PNG shows in a notebook, read from its header.

    The pixel size is in the IHDR chunk; the resolution it was saved at in the pHYs chunk
    (matplotlib writes it). A PNG without pHYs is taken as saved at :data:`DISPLAY_DPI`.

    >>> import matplotlib.pyplot as plt, tempfile
    >>> fig = plt.figure(figsize=(4, 3)); path = Path(tempfile.mkdtemp()) / "f.png"
    >>> fig.savefig(path, dpi=200); plt.close(fig)
    >>> png_display_size(path)
    (400.0, 300.0)
    """
    data = Path(path).read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    dpi = float(DISPLAY_DPI)
    offset = 8
    while offset + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if kind == b"pHYs":
            per_x, _per_y, unit = struct.unpack(">IIB", data[offset + 8 : offset + 17])
            if unit == 1:  # pixels per metre
                dpi = per_x * 0.0254
            break
        if kind in (b"IDAT", b"IEND"):
            break
        offset += 12 + length
    scale = DISPLAY_DPI / dpi
    return round(width * scale, 1), round(height * scale, 1)


def _drawn_texts(fig, renderer) -> list:
    """Draw ``fig`` and return ``(text, box)`` for every non-empty text actually drawn.

    Walking the artist tree would also find tick labels of ticks outside the view, which are
    kept but never drawn; recording the texts as they draw sees what the reader sees.
    """
    drawn = []
    original = mtext.Text.draw

    def record(self, renderer):
        original(self, renderer)
        if self.get_visible() and self.get_text().strip():
            drawn.append(self)

    mtext.Text.draw = record
    try:
        fig.draw(renderer)
    finally:
        mtext.Text.draw = original
    unique = list(dict.fromkeys(drawn))
    return [(t, t.get_window_extent(renderer)) for t in unique]


def figure_problems(fig, *, check_fonts: bool = True) -> list[str]:
    """What in a drawn figure breaks the policy: its size, a font size, two texts overlapping.

    The figure is drawn once; text boxes come from its renderer at :data:`DISPLAY_DPI`, and
    the size is the tight bounding box that saving uses. An empty list means it complies.

    Parameters
    ----------
    fig : a matplotlib Figure (or a seaborn grid holding one).
    check_fonts : also check every text's size against :data:`FONT_PX`.

    Returns
    -------
    list of one-line descriptions, empty when the figure complies.

    Example
    -------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(4, 3), dpi=DISPLAY_DPI)
    >>> _ = ax.text(0.5, 0.5, "one", fontsize=px_to_pt(11)); _ = ax.text(0.5, 0.5, "two", fontsize=px_to_pt(11))
    >>> figure_problems(fig, check_fonts=False)
    ["texts overlap: 'one' and 'two'"]
    >>> plt.close(fig)
    """
    fig = getattr(fig, "figure", fig)
    fig.set_dpi(DISPLAY_DPI)
    if not hasattr(fig.canvas, "get_renderer"):  # a figure closed or unpickled has a bare canvas
        FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()
    boxes = _drawn_texts(fig, renderer)
    problems = []
    box = fig.get_tightbbox(renderer)  # in inches
    width, height = box.width * DISPLAY_DPI, box.height * DISPLAY_DPI
    if width > MAX_WIDTH_PX or height > MAX_HEIGHT_PX:
        problems.append(
            f"figure is {width:.0f} x {height:.0f} px, larger than {MAX_WIDTH_PX} x {MAX_HEIGHT_PX} px"
        )
    if check_fonts:
        low, high = FONT_PX
        for text, _ in boxes:
            px = text.get_fontsize() * DISPLAY_DPI / 72
            if not low - 0.05 <= px <= high + 0.05:
                problems.append(f"text {text.get_text()!r} is {px:.1f} px, outside {low:g}-{high:g} px")
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        overlap_w = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
        overlap_h = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
        if overlap_w > _OVERLAP_TOLERANCE_PX and overlap_h > _OVERLAP_TOLERANCE_PX:
            problems.append(f"texts overlap: {a.get_text()!r} and {b.get_text()!r}")
    return problems
