"""The kit's one progress bar: tqdm's text bar, on stdout in a Jupyter kernel and on stderr in a terminal.

Every long step (scoring, paraphrasing, the ICC bootstrap, the landscape stages, bundle extraction) makes
its bar here, so that all of them behave the same in JupyterLab, in a terminal and in a saved notebook.
"""

from __future__ import annotations

import sys

from tqdm.std import tqdm

__all__ = ["in_kernel", "progress_bar"]

#: seconds between two redraws; a notebook's output is redrawn by the browser, so not too often
MIN_INTERVAL = 0.5


def in_kernel() -> bool:
    """Whether this process is a Jupyter kernel (JupyterLab, notebook, papermill), not a terminal.

    >>> in_kernel()  # under pytest
    False
    """
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    return shell is not None and hasattr(shell, "kernel")


def progress_bar(
    iterable=None, *, total=None, desc: str = "", unit: str = "it", disable: bool = False, **options
):
    r"""A tqdm bar that updates in JupyterLab and stays readable in a saved, reopened notebook.

    tqdm.auto would draw an ipywidgets bar in a kernel: a widget that shows "Error displaying
    widget: model not found" once the notebook is saved and reopened (JupyterLab keeps no widget
    state), and that vanishes on completion when ``leave=False``. This bar is text: in a kernel it
    writes to stdout (JupyterLab redraws the line on each carriage return; stderr would show as an
    alarming pink block), in a terminal to stderr as usual, and it stays on screen when done with its
    rate and elapsed time.

    Parameters
    ----------
    iterable, total, desc, unit, disable : as for ``tqdm``; ``desc`` should name what runs
        (model · dataset · metric for scoring).
    **options : other tqdm options (``unit_scale``, ...).

    Returns
    -------
    ``tqdm.std.tqdm``

    Example
    -------
    >>> import io
    >>> screen = io.StringIO()
    >>> with progress_bar(total=3, desc="tiny · toy · pll", unit="row", file=screen) as bar:
    ...     bar.update(3)
    >>> bar.n, screen.getvalue().rsplit("\r", 1)[-1][:22]
    (3, 'tiny · toy · pll: 100%')
    """
    options.setdefault("mininterval", MIN_INTERVAL)
    options.setdefault("leave", True)
    if in_kernel():
        options.setdefault("file", sys.stdout)
    return tqdm(iterable, total=total, desc=desc, unit=unit, disable=disable, **options)
