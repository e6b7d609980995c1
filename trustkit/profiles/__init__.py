"""The four run profiles (smoke, lab, offline, paper) as papermill parameters per notebook.

One parameter set per use, shared by ``trustkit reproduce`` and the notebooks' ``parameters`` cells
(whose defaults are the ``lab`` profile; a test keeps the two in step). The tables themselves are
in :mod:`trustkit.profiles.settings`; this module merges and checks them.
"""

from __future__ import annotations

import copy

from trustkit.errors import InputError, UnknownNameError
from trustkit.profiles.settings import (
    _LAB,
    _OVERRIDES,
    NOTEBOOK_FIGURES,
    PAIR_PARAMETERS,
    PAPER_HUB_MODELS,
    PAPER_HUB_PARAPHRASER,
    PROFILE_DESCRIPTIONS,
    PROFILE_NAMES,
)

__all__ = [
    "NOTEBOOK_FIGURES",
    "PAIR_PARAMETERS",
    "PAPER_HUB_MODELS",
    "PAPER_HUB_PARAPHRASER",
    "PROFILE_DESCRIPTIONS",
    "PROFILE_NAMES",
    "check_profile",
    "expected_figures",
    "lab_defaults",
    "notebook_names",
    "parse_set",
    "profile_parameters",
]


def notebook_names() -> tuple[str, ...]:
    """Return the notebooks of the study in run order (names without ``.ipynb``).

    >>> notebook_names()[0]
    '01_data'
    """
    return tuple(NOTEBOOK_FIGURES)


def expected_figures(notebook: str) -> tuple[str, ...]:
    """Return the figure file names a notebook must write, whatever the profile.

    Parameters
    ----------
    notebook : a name from :func:`notebook_names`.

    >>> expected_figures("01_data")
    ('01_data_categories.png', '01_data_pair_differences.png', '01_data_revisions.png')
    """
    _check_notebook(notebook)
    return NOTEBOOK_FIGURES[notebook]


def lab_defaults(notebook: str) -> dict:
    """Return the ``lab`` parameters of a notebook: the defaults of its ``parameters`` cell.

    >>> lab_defaults("01_data")["seed"]
    0
    """
    _check_notebook(notebook)
    return copy.deepcopy(_LAB[notebook])


def profile_parameters(profile: str, notebook: str, max_pairs: int | None = None, sets=()) -> dict:
    """Return the papermill parameters of one notebook under one profile.

    Parameters
    ----------
    profile : one of ``smoke``, ``lab``, ``offline``, ``paper``.
    notebook : a name from :func:`notebook_names`.
    max_pairs : cap every pair count (:data:`PAIR_PARAMETERS`) at this many pairs, to try a
        profile on a few pairs (CLI: ``--max-pairs``).
    sets : ``"NOTEBOOK.PARAM=VALUE"`` overrides (CLI: ``--set``); VALUE is read as JSON when it
        parses (``5``, ``null``, ``["a"]``), else as a string. Those for other notebooks are ignored.

    Returns
    -------
    A new dict: the lab defaults updated with the profile's own values, the options, and ``profile``.

    Example
    -------
    >>> profile_parameters("paper", "02_scoring", max_pairs=4, sets=["02_scoring.control=bert-tiny"])["control"]
    'bert-tiny'
    >>> profile_parameters("paper", "02_scoring", max_pairs=4)["n_pairs"]
    4
    """
    check_profile(profile)
    params = lab_defaults(notebook)
    params.update(copy.deepcopy(_OVERRIDES[profile].get(notebook, {})))
    if max_pairs is not None:
        for key in PAIR_PARAMETERS:
            if key in params:
                params[key] = int(max_pairs) if params[key] is None else min(params[key], int(max_pairs))
    for target, key, value in map(parse_set, sets):
        _check_notebook(target)
        if target != notebook:
            continue
        if key not in params:
            raise InputError(
                f"--set {target}.{key}: {target} has no parameter {key!r}; "
                f"its parameters: {', '.join(sorted(params))}"
            )
        params[key] = value
    params["profile"] = profile
    return params


def parse_set(item: str) -> tuple[str, str, object]:
    """Read ``"NOTEBOOK.PARAM=VALUE"`` into ``(notebook, param, value)``; VALUE as JSON when it parses.

    >>> parse_set('03_paraphrase.backends=["backtranslation"]')
    ('03_paraphrase', 'backends', ['backtranslation'])
    >>> parse_set("02_scoring.control=bert-tiny")
    ('02_scoring', 'control', 'bert-tiny')
    """
    import json

    target, eq, raw = str(item).partition("=")
    notebook, dot, key = target.partition(".")
    if not eq or not dot or not notebook or not key:
        raise InputError(f"--set {item!r}: write it as NOTEBOOK.PARAM=VALUE, e.g. 02_scoring.n_pairs=20")
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    return notebook, key, value


def check_profile(profile: str) -> None:
    """Refuse a name that is not a profile, suggesting the closest one.

    >>> check_profile("ofline")
    Traceback (most recent call last):
    trustkit.errors.UnknownNameError: unknown profile 'ofline' (did you mean 'offline'?); choose one of ...
    """
    if profile not in PROFILE_NAMES:
        raise UnknownNameError("profile", profile, PROFILE_NAMES, listing="choose one of")


def _check_notebook(notebook: str) -> None:
    if notebook not in NOTEBOOK_FIGURES:
        raise UnknownNameError("notebook", notebook, NOTEBOOK_FIGURES)
