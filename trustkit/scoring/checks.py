"""Checks a scorer runs before any forward pass: whether every sentence of a pair table can be scored.

A refusal lists every offending row, named ``FILE:LINE`` when the table came from a pair file
(``load_pairs`` keeps each pair's line in ``attrs["lines"]``), else by pair_id. With truncation,
the cut rows are reported in one warning. A pair whose two sentences are the same token ids as
scored (after a cut, or because the tokenizer cannot tell them apart: case, [UNK], zero-width
characters) is refused, or dropped on request: it would count as a tie that the sentences are not.
"""

from __future__ import annotations

import unicodedata
import warnings

import pandas as pd

from trustkit.errors import InputError


class TruncationWarning(UserWarning):
    """Sentences longer than the model's maximum were cut (``truncate=True``); it names the rows."""


class IndistinguishableWarning(UserWarning):
    """Pairs whose sentences tokenise to the same ids were left out (``drop_indistinguishable=True``)."""


def check_vocabulary(model, tokenizer) -> None:
    """Refuse (ValueError) a tokenizer with more tokens than the model's input embedding has rows.

    Such a pair fails with an IndexError halfway through a run, at the first sentence that uses a
    token beyond the embedding; this says so before any work.

    Example
    -------
    >>> import torch
    >>> class Tok:
    ...     def __len__(self): return 12
    >>> class Model(torch.nn.Module):
    ...     def get_input_embeddings(self): return torch.nn.Embedding(10, 2)
    >>> check_vocabulary(Model(), Tok())
    Traceback (most recent call last):
    trustkit.errors.InputError: the tokenizer has 12 tokens but the model's embedding only 10 rows, ...
    """
    embedding = model.get_input_embeddings() if hasattr(model, "get_input_embeddings") else None
    rows = getattr(embedding, "num_embeddings", None)
    if rows is not None and len(tokenizer) > rows:
        raise InputError(
            f"the tokenizer has {len(tokenizer)} tokens but the model's embedding only "
            f"{rows} rows, so some token ids cannot be looked up; use the tokenizer "
            "saved with these weights"
        )


def row_names(pairs: pd.DataFrame) -> list[str]:
    """How each row of a pair table is named in messages: ``FILE:LINE``, else ``pair N``.

    Example
    -------
    >>> t = pd.DataFrame({"pair_id": [0, 1]})
    >>> t.attrs.update(file="p.csv", lines={0: 2, 1: 5})
    >>> row_names(t)
    ['p.csv:2', 'p.csv:5']
    """
    ids = list(pairs["pair_id"]) if "pair_id" in pairs.columns else list(range(len(pairs)))
    lines, file = pairs.attrs.get("lines") or {}, pairs.attrs.get("file")
    names = [f"{file}:{lines[i]}" if file and i in lines else f"pair {i}" for i in ids]
    if "para_index" in pairs.columns:  # paraphrase tables repeat pair_id once per paraphrase
        names = [f"{n} (para_index {k})" for n, k in zip(names, pairs["para_index"])]
    return names


#: the CLI flag and Python keyword that drop indistinguishable pairs instead of refusing them
DROP_FLAG = "drop_indistinguishable"


def indistinguishable_reason(more: str, less: str, tokenizer) -> str:
    """Why two different sentences tokenise to the same ids, in words a user can act on.

    Example
    -------
    >>> class Uncased:
    ...     do_lower_case = True
    ...     unk_token = "[UNK]"
    >>> indistinguishable_reason("Black people", "black people", Uncased())
    'they differ only in letter case and the tokenizer is uncased'
    >>> indistinguishable_reason("a\u200bb", "ab", Uncased())
    'they differ only in invisible characters (zero-width or bidi controls) that the tokenizer drops'
    """
    if more == less:
        return "the two sentences are the same text"
    if more.lower() == less.lower():
        return "they differ only in letter case and the tokenizer is uncased"
    visible = ["".join(c for c in x if unicodedata.category(c) != "Cf") for x in (more, less)]
    if visible[0] == visible[1] or visible[0].lower() == visible[1].lower():
        return (
            "they differ only in invisible characters (zero-width or bidi controls) that the tokenizer drops"
        )
    unk = getattr(tokenizer, "unk_token", None)
    return "the characters where they differ map to the same tokens" + (
        f", e.g. both to the unknown token {unk}" if unk else ""
    )


def pair_row_problems(scorer, pairs: pd.DataFrame) -> tuple[list[str], list[str], list[int]]:
    """What stops each row of a pair table from being scored as it is.

    Returns ``(refused, cut, same)``: ``refused`` lines ``NAME: reason`` for rows that can never
    be scored (empty, too long without truncation); ``cut`` names of rows that truncation
    shortens; ``same`` positions of rows whose two sentences are, as scored, the same token
    ids (case under an uncased tokenizer, emoji that both become the unknown token, zero-width
    or bidi characters, or a cut that removed the difference): such a pair would count as a
    tie that the sentences are not. :func:`same_id_lines` words them.

    Example
    -------
    >>> pair_row_problems(scorer, pairs)  # doctest: +SKIP
    ([], [], [3])
    """
    names = row_names(pairs)
    refused: list = []
    cut: list = []
    same: list[int] = []
    more, less = list(pairs["sent_more"]), list(pairs["sent_less"])
    problems = scorer.problems(more + less)  # one tokenizer call for the whole table
    usable = [k for k, p in enumerate(problems) if p is None]
    scored = dict(zip(usable, scorer._truncated_many([(more + less)[k] for k in usable])))
    long: set[int] = set()  # indices into more + less of the sentences that will be cut
    if scorer.truncate:
        ids = scorer._encode_many([(more + less)[k] for k in usable])
        long = {k for k, x in zip(usable, ids) if len(x) > scorer.max_length}
    n = len(more)
    for k, name in enumerate(names):
        roles = (("sent_more", k), ("sent_less", k + n))
        why = [f"{role} cannot be scored: {problems[j]}" for role, j in roles if problems[j]]
        if not why and (k in long or k + n in long):
            cut.append(f"{name} ({', '.join(role for role, j in roles if j in long)})")
        if not why and scored[k] == scored[k + n]:
            same.append(k)
        refused.extend(f"{name}: {w}" for w in why)
    return refused, cut, same


def same_id_lines(scorer, pairs: pd.DataFrame, rows: list[int]) -> list[str]:
    """``NAME: reason`` for each pair whose sentences are the same token ids as scored."""
    names = row_names(pairs)
    out = []
    for k in rows:
        more, less = pairs["sent_more"].iloc[k], pairs["sent_less"].iloc[k]
        if scorer.truncate and scorer._encode_many([more]) != scorer._encode_many([less]):
            why = (
                f"sent_more and sent_less are identical after truncation to {scorer.max_length} tokens, "
                "so the pair would count as a tie; shorten the sentences so that they differ within the limit"
            )
        else:
            reason = indistinguishable_reason(more, less, scorer.tokenizer)
            why = (
                f"sent_more and sent_less tokenise to the same ids ({reason}), "
                "so the pair would count as a tie that the sentences are not"
            )
        out.append(f"{names[k]}: {why}")
    return out


def check_pair_rows(scorer, pairs: pd.DataFrame, *, drop_indistinguishable: bool = False) -> list[int]:
    """Refuse (InputError) every row that cannot be scored; warn about rows cut by truncation.

    A pair whose two sentences tokenise to the same ids is refused too, with its reason, unless
    ``drop_indistinguishable`` (CLI: ``--drop-indistinguishable``): then it is left out with a
    warning naming it.

    Returns the positions of the rows to drop (empty unless ``drop_indistinguishable``).

    Example
    -------
    >>> check_pair_rows(scorer, pairs)  # doctest: +SKIP
    trustkit.errors.InputError: 2 pair row(s) cannot be scored:
    my_pairs.csv:4: sent_less cannot be scored: the sentence has 700 tokens, more than the model's maximum of 512; ...
    """
    refused, cut, same = pair_row_problems(scorer, pairs)
    same_lines = same_id_lines(scorer, pairs, same)
    if not drop_indistinguishable and same_lines:
        hint = "; fix these pairs or pass drop_indistinguishable=True (CLI: --drop-indistinguishable) to leave them out"
        refused = refused + [line + hint for line in same_lines]
    if refused:
        raise InputError(
            f"{len(refused)} problem(s) in the pair rows, nothing scored:\n" + "\n".join(refused)
        )
    if cut:
        warnings.warn(
            f"{len(cut)} pair row(s) cut to the model's maximum of {scorer.max_length} "
            f"tokens (--truncate): {'; '.join(cut[:20])}{' ...' if len(cut) > 20 else ''}",
            TruncationWarning,
            stacklevel=3,
        )
    if same_lines:
        warnings.warn(
            f"{len(same_lines)} indistinguishable pair row(s) left out (--drop-indistinguishable): "
            + "; ".join(same_lines[:20])
            + (" ..." if len(same_lines) > 20 else ""),
            IndistinguishableWarning,
            stacklevel=3,
        )
    return same
