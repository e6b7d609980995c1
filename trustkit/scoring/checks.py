"""Checks a scorer runs before any forward pass: whether every sentence of a pair table can be scored.

A refusal lists every offending row, named ``FILE:LINE`` when the table came from a pair file
(``load_pairs`` keeps each pair's line in ``attrs["lines"]``), else by pair_id. With truncation,
the cut rows are reported in one warning, and a pair whose two sentences became identical after
the cut is refused (it would count as a tie that the full sentences are not).
"""

from __future__ import annotations

import warnings

import pandas as pd

from trustkit.errors import InputError


class TruncationWarning(UserWarning):
    """Sentences longer than the model's maximum were cut (``truncate=True``); it names the rows."""


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


def check_pair_rows(scorer, pairs: pd.DataFrame) -> list[str]:
    """Refuse (ValueError) every row that cannot be scored; warn about rows cut by truncation.

    Returns the row names (see :func:`row_names`).

    Example
    -------
    >>> check_pair_rows(scorer, pairs)  # doctest: +SKIP
    trustkit.errors.InputError: 2 pair row(s) cannot be scored:
    my_pairs.csv:4: sent_less cannot be scored: the sentence has 700 tokens, more than the model's maximum of 512; ...
    """
    names = row_names(pairs)
    refused: list = []
    cut: list = []
    more, less = list(pairs["sent_more"]), list(pairs["sent_less"])
    problems = scorer.problems(more + less)  # one tokenizer call for the whole table
    long: set[int] = set()  # indices into more + less of the sentences that will be cut
    if scorer.truncate:
        usable = [k for k, p in enumerate(problems) if p is None]
        ids = scorer._encode_many([(more + less)[k] for k in usable])
        long = {k for k, x in zip(usable, ids) if len(x) > scorer.max_length}
    n = len(more)
    for k, name in enumerate(names):
        roles = (("sent_more", k), ("sent_less", k + n))
        why = [f"{role} cannot be scored: {problems[j]}" for role, j in roles if problems[j]]
        if not why and (k in long or k + n in long):
            cut.append(f"{name} ({', '.join(role for role, j in roles if j in long)})")
            cut_more, cut_less = scorer._truncated_many([more[k], less[k]])
            if cut_more == cut_less:
                why.append(
                    f"sent_more and sent_less are identical after truncation to "
                    f"{scorer.max_length} tokens, so the pair would count as a tie; "
                    "shorten the sentences so that they differ within the limit"
                )
        refused.extend(f"{name}: {w}" for w in why)
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
    return names
