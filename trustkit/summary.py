"""The one summary type of a result (report, paraphrasing, landscape): named numbers, text and HTML.

:class:`Summary` is a dict of the headline numbers (so ``summary["yield"]`` and
``pd.DataFrame({name: result.summary() ...})`` work), with ``.table()``, ``.text()`` and ``.html()``,
and it shows itself as a table in Jupyter.
"""

from __future__ import annotations

import html as _html
from collections.abc import Iterable, Mapping

import pandas as pd

__all__ = ["Summary"]


class Summary(dict):
    """A result's headline numbers by name, with its title and, where a result has one, its prose.

    Parameters
    ----------
    values : the numbers (and short labels) by name, in display order.
    title : what is summarised (a model, a backend, a study); the name of :meth:`table`'s column.
    lines : the summary in sentences, when plain ``name: value`` lines would say less.

    Example
    -------
    >>> s = Summary({"pairs": 3, "yield": 0.5}, title="backtranslation")
    >>> s["yield"], list(s)
    (0.5, ['pairs', 'yield'])
    >>> print(s.text())
    backtranslation
    pairs: 3
    yield: 0.5
    >>> s.table().to_dict()
    {'pairs': 3.0, 'yield': 0.5}
    >>> "<table" in s.html()
    True
    """

    def __init__(self, values: Mapping, *, title: str = "", lines: Iterable[str] | None = None):
        super().__init__(values)
        self.title = title
        self.lines = None if lines is None else list(lines)

    def table(self) -> pd.Series:
        """The numbers as a Series named by the title (one row per number)."""
        return pd.Series(dict(self), name=self.title or None)

    def text(self) -> str:
        """Plain text: the summary's own lines, else the title and one ``name: value`` line each."""
        if self.lines is not None:
            return "\n".join(self.lines)
        head = [self.title] if self.title else []
        return "\n".join(head + [f"{name}: {value}" for name, value in self.items()])

    def html(self) -> str:
        """An HTML table of the numbers (the title as caption), with the prose below when there is one."""
        table = self.table().to_frame().to_html(header=bool(self.title))
        prose = f"<pre>{_html.escape(self.text())}</pre>" if self.lines is not None else ""
        return table + prose

    def _repr_html_(self) -> str:
        return self.html()

    def __str__(self) -> str:
        return self.text()
