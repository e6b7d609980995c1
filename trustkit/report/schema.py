"""The JSON Schema of ``REPORT.json``, the machine-readable twin of the HTML report card.

A model card or a leaderboard embeds ``bias_score`` and ``sensitivity.wording_share``; the rest says
how they were made. Percentages are 0–100; Δ and τ are in nats; missing estimates are null.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from trustkit.errors import InputError

SCHEMA_VERSION = "1.0"

_NUM = {"type": ["number", "null"]}
_INT = {"type": ["integer", "null"]}
_ESTIMATE = {"estimate": _NUM, "ci_low": _NUM, "ci_high": _NUM}


def _obj(properties: dict, required=None, extra: bool = True) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required or properties),
        "additionalProperties": extra,
    }


_GROUP = _obj(
    {
        "group": {"type": "string"},
        **_ESTIMATE,
        "p": _NUM,
        "p_adjusted": _NUM,
        "n": {"type": "integer"},
        "small": {"type": "boolean"},
    }
)
_THRESHOLD_GROUP = _obj(
    {
        "group": {"type": "string"},
        **_ESTIMATE,
        "p": _NUM,
        "p_adjusted": _NUM,
        "n": {"type": "integer"},
        "n_determined": {"type": "integer"},
        "undetermined_share": _NUM,
        "small": {"type": "boolean"},
    }
)
_MEASURE = _obj({**_ESTIMATE, "n": {"type": "integer"}})
_WORDING = _obj(
    {
        "para_index": {"type": "integer", "minimum": 0},
        "sent_more": {"type": "string"},
        "sent_less": {"type": "string"},
        "delta": _NUM,
    }
)
_EXAMPLE = _obj(
    {
        "pair_id": {"type": "integer"},
        "bias_type": {"type": "string"},
        "direction": {"type": "string"},
        "delta": _NUM,
        "flipped": {"type": ["boolean", "null"]},
        "wordings": {"type": "array", "items": _WORDING, "minItems": 1},
    }
)
_PROBLEM = _obj(
    {
        "source": {"type": "string"},
        "problem": {"type": "string"},
        "pairs_touched": _INT,
        "share": _NUM,
        "pair_ids": {"type": "array", "items": {"type": "integer"}},
        "note": {"type": "string"},
    }
)

#: JSON Schema (draft 2020-12) of the report document written by ``trustkit report``
REPORT_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "trustkit bias report card",
    "description": "A model's CrowS-Pairs-style bias score with its uncertainty and its sensitivity to wording.",
    **_obj(
        {
            "schema_version": {"const": SCHEMA_VERSION},
            "title": {"type": "string"},
            "n_pairs": {"type": "integer", "minimum": 1},
            "bias_score": _obj(
                {
                    **_ESTIMATE,
                    "p": _NUM,
                    "n": {"type": "integer"},
                    "n_ties": {"type": "integer"},
                    "n_stereotyped": {"type": "integer"},
                    "test": {"type": "string"},
                }
            ),
            "by_bias_type": {"type": "array", "items": _GROUP},
            "thresholded": {
                "oneOf": [
                    {"type": "null"},
                    _obj(
                        {
                            "tau": {"type": "number", "minimum": 0},
                            "tau_estimator": {"type": "string"},
                            "quantile": {"type": "number"},
                            **_ESTIMATE,
                            "p": _NUM,
                            "n": {"type": "integer"},
                            "n_determined": {"type": "integer"},
                            "undetermined_share": _NUM,
                            "by_bias_type": {"type": "array", "items": _THRESHOLD_GROUP},
                        }
                    ),
                ]
            },
            "sensitivity": {
                "oneOf": [
                    {"type": "null"},
                    _obj(
                        {
                            "flip_rate": _MEASURE,
                            "flip_share": _MEASURE,
                            "spread_exceeds_delta": _MEASURE,
                            "icc": _obj(
                                {
                                    **_ESTIMATE,
                                    "n": {"type": "integer"},
                                    "n_obs": {"type": "integer"},
                                    "method": {"type": "string"},
                                }
                            ),
                            "var_pair": _NUM,
                            "var_wording": _NUM,
                            "wording_share": _NUM,
                            "n_pairs": {"type": "integer"},
                            "n_paraphrase_pairs": {"type": "integer"},
                        }
                    ),
                ]
            },
            "delta": _obj(
                {
                    "n": {"type": "integer"},
                    "mean": _NUM,
                    "mean_abs": _NUM,
                    "q05": _NUM,
                    "q25": _NUM,
                    "median": _NUM,
                    "q75": _NUM,
                    "q95": _NUM,
                    "share_positive": _NUM,
                }
            ),
            "examples": _obj(
                {
                    "most_stereotyped": {"type": "array", "items": _EXAMPLE},
                    "least_stereotyped": {"type": "array", "items": _EXAMPLE},
                }
            ),
            "known_problems": {"type": "array", "items": _PROBLEM},
            # edge cases said in words (all ties, one pair, no paraphrase, ICC not estimable)
            "statements": {"type": "array", "items": {"type": "string"}},
            "paraphrasing": {"type": ["object", "null"]},
            "settings": {"type": "object"},
            "timing": {"type": "object"},
            "provenance": _obj(
                {
                    "model": _obj(
                        {
                            "model_id": {"type": "string"},
                            "revision": {"type": ["string", "null"]},
                            "files": {
                                "type": "object",
                                "additionalProperties": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                            },
                        },
                        required=["model_id", "revision", "files"],
                    ),
                    "dataset": _obj(
                        {
                            "name": {"type": "string"},
                            "sha256": {"type": ["string", "null"], "pattern": "^[0-9a-f]{64}$"},
                        },
                        required=["name", "sha256"],
                    ),
                    "metric": {"type": "string"},
                    "seed": {"type": "integer"},
                    "paraphraser": {"type": ["object", "null"]},
                    "library_versions": {
                        "type": "object",
                        "additionalProperties": {"type": ["string", "null"]},
                    },
                },
                required=["model", "dataset", "metric", "seed", "paraphraser", "library_versions"],
            ),
        },
        required=[
            "schema_version",
            "n_pairs",
            "bias_score",
            "by_bias_type",
            "thresholded",
            "sensitivity",
            "delta",
            "examples",
            "known_problems",
            "provenance",
        ],
    ),
}


def validate_report(document) -> None:
    """Raise ``jsonschema.ValidationError`` unless a report follows :data:`REPORT_SCHEMA`.

    Parameters
    ----------
    document : the report as a dict, or the path of its ``report.json`` (strict JSON: a bare
        ``NaN`` or a file that is not JSON is a ValueError naming the file).

    Example
    -------
    >>> validate_report({"schema_version": SCHEMA_VERSION})
    Traceback (most recent call last):
    jsonschema.exceptions.ValidationError: 'n_pairs' is a required property
    ...
    >>> validate_report("/nonexistent/report.json")
    Traceback (most recent call last):
    trustkit.errors.InputError: /nonexistent/report.json: cannot read the report ([Errno 2] No such file ...
    """
    import jsonschema

    if isinstance(document, str | os.PathLike):
        document = _read_report(Path(document))
    jsonschema.Draft202012Validator.check_schema(REPORT_SCHEMA)
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(document)


def _read_report(path: Path) -> dict:
    def refuse(constant: str):
        raise InputError(f"{path}: holds a bare {constant}, which is not JSON (write null)")

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: cannot read the report ({err})") from None
    try:
        return json.loads(text, parse_constant=refuse)
    except json.JSONDecodeError as err:
        raise InputError(f"{path}: not JSON ({err}); give the report's .json twin") from None
