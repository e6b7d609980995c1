"""The scorer object shared by masked and causal LMs: configuration, validation and the tables.

The registry's plan builders say how sentences or pairs become rows (``_plan_many``), subclasses
how a batch is run (``_step``); ``trustkit.scoring.engine`` runs them (cache, shards, batches);
this module turns the results into pair tables and per-token output. Input checking and tokenisation are in
``trustkit.scoring.inputs``.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Sequence

import pandas as pd
import torch

from trustkit.errors import InputError
from trustkit.scoring.cache import ScoreCache, open_cache
from trustkit.scoring.checks import check_vocabulary
from trustkit.scoring.crows import metric_order
from trustkit.scoring.engine import score_items
from trustkit.scoring.fingerprints import model_fingerprint, tokenizer_fingerprint
from trustkit.scoring.inputs import UNBOUNDED as UNBOUNDED
from trustkit.scoring.inputs import ScorerInputs, _tokenising_once
from trustkit.scoring.memory import default_batch_tokens
from trustkit.scoring.precision import parse_precision
from trustkit.scoring.registry import default_metric, get_metric
from trustkit.scoring.results import ItemScore, pair_precision
from trustkit.scoring.rows import Plan
from trustkit.scoring.tokens import token_records

__all__ = ["ItemScore", "Plan", "Scorer", "model_fingerprint", "tokenizer_fingerprint"]


class Scorer(ScorerInputs):
    """Base class: use :class:`MaskedLMScorer` or :class:`CausalLMScorer` (or ``load_scorer``).

    Parameters
    ----------
    model, tokenizer : a transformers LM and its tokenizer.
    device : where to run (default: the model's device).
    dtype : ``"fp32"``, ``"bf16"``/``"fp16"`` (weights cast once, with the fp32 guard:
        comparisons equal fp32's), ``"bf16-raw"``/``"fp16-raw"`` (unguarded); a ``-autocast``
        suffix autocasts over the fp32 weights instead of a cast copy; default guarded bf16 on
        CUDA, fp32 elsewhere. See ``trustkit.scoring.precision`` and ``trustkit.scoring.reduced``.
    batch_tokens : padded tokens per forward pass, which bounds memory (default 2048 on CPU; on
        CUDA chosen from the free memory measured now, see ``trustkit.scoring.memory``).
    cache : True (the default cache file: if it cannot be opened, read or written, one warning
        and the run goes on uncached), a path or a :class:`ScoreCache` (asked for explicitly:
        such a failure raises :class:`CacheError`), or False.
    model_id : the weights' identity for cache keys (file hashes); default: a hash of the tensors.
    truncate : cut over-long sentences instead of refusing them.
    progress : tqdm progress bars.
    provenance : where the weights came from (``load_scorer`` fills it); recorded in sidecars.

    Inside an initialised ``torch.distributed`` process group every scoring call is data
    parallel: each rank scores its share of the items (balanced by token count) and every rank
    returns the whole result.
    """

    kind = "base"
    sentence_metrics: tuple[str, ...] = ()
    pair_metrics: tuple[str, ...] = ()
    #: names the model and data in progress bars ("smollm2 · crows_pairs · ll"); see trustkit.study.
    #: Unset, a bar names the model (:meth:`model_label`) and, for a pair table, its dataset.
    progress_label = ""
    #: where the weights came from (files, hashes, revision); set by ``load_scorer``, else None
    provenance: dict | None = None
    #: assemble batch n+1 in a worker thread while the model runs batch n, results kept on the
    #: device until a flush (``trustkit.scoring.batching.run_table``); None: on CUDA only
    pipeline: bool | None = None

    def __init__(
        self,
        model,
        tokenizer,
        *,
        device=None,
        dtype=None,
        batch_tokens: int | None = None,
        cache: bool | str | os.PathLike | ScoreCache | None = True,
        model_id: str | None = None,
        truncate: bool = False,
        progress: bool = True,
        provenance: dict | None = None,
    ):
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.device = torch.device(device) if device else next(model.parameters()).device
        if self.model.device != self.device:
            self.model.to(self.device)
        #: what the scorer computes in (trustkit.scoring.precision): fp32, or bf16/fp16 guarded or raw
        self.precision = parse_precision(dtype, self.device)
        #: the dtype of the main pass (None: plain fp32); the fp32 guard switches it per call
        self.dtype = dtype = self.precision.dtype
        #: what the reduced-precision guard did in the last call (None until one ran)
        self.precision_report: dict | None = None
        #: whether the weights are now a reduced-precision copy (only while a reduced pass runs)
        self.weights_cast = False
        if batch_tokens is not None and batch_tokens < 1:  # 0 once meant the default silently
            raise InputError(f"batch_tokens must be a positive number of tokens, got {batch_tokens}")
        self.batch_tokens = batch_tokens or default_batch_tokens(self.model, self.device, dtype)
        self.truncate = truncate
        self.progress = progress
        self.model_id = model_id
        self._cache_explicit = cache is not True
        self.cache: ScoreCache | None = open_cache(cache)
        self.stats = {"rows_computed": 0, "items_computed": 0, "items_cached": 0}
        #: seconds spent in tokenise, plan, assemble, model and bookkeeping (all calls so far)
        self.timings: dict[str, float] = {}
        self.provenance = provenance
        self._memo: dict | None = None  # tokenisations shared inside one public call
        self._identity_cache: dict | None = None
        check_vocabulary(model, tokenizer)
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
        self.max_length = self._max_length()

    # --- what subclasses provide -------------------------------------------------------------
    def _plan_many(self, items: list, metric: str) -> list[Plan]:
        """The rows of every item, from the metric's plan builder in the registry."""
        return get_metric(metric).plan(self, items)

    def _step(self, metric: str):  # pragma: no cover - abstract
        raise NotImplementedError

    def _running(self, metric: str):
        """Context held while a metric runs (e.g. an attention implementation); restores on exit."""
        return contextlib.nullcontext()

    @contextlib.contextmanager
    def labelled(self, label: str):
        """Name the model and dataset in this scorer's progress bars while the block runs.

        >>> with scorer.labelled("smollm2 · crows_pairs"):  # doctest: +SKIP
        ...     scorer.score_pairs(pairs, "ll")   # bar: "smollm2 · crows_pairs · ll rows"
        """
        before = self.progress_label
        self.progress_label = label
        try:
            yield self
        finally:
            self.progress_label = before

    def _plan(self, item, metric: str) -> Plan:
        """The plan of one item (for inspection; the engine plans all items in one call)."""
        return self._plan_many([item], metric)[0]

    # --- identity and cache ------------------------------------------------------------------
    def identity(self) -> dict:
        """What the cache key depends on besides metric and text: weights, tokenizer, precision."""
        if self._identity_cache is None:
            self._identity_cache = {
                "model": self.model_id or model_fingerprint(self.model),
                "tokenizer": tokenizer_fingerprint(self.tokenizer),
                "kind": self.kind,
                "device": self.device.type,
                "dtype": str(self.dtype or torch.float32),
                "truncate": self.max_length if self.truncate else None,
                # padding and batch shapes move the last digits (~1e-6 nats): part of the key
                "batch_tokens": self.batch_tokens,
                "torch": torch.__version__,  # kernels change between releases
            }
        # the fp32 guard scores some items in each precision: the key names the one in use now
        dtype = str(self.dtype or torch.float32)
        if self.dtype is None:
            ident = self._identity_cache
            return ident if ident["dtype"] == dtype else {**ident, "dtype": dtype}
        # a reduced pass on cast weights and one under autocast give different values
        reduced = "cast weights" if self.weights_cast else "autocast"
        return {**self._identity_cache, "dtype": dtype, "reduced_pass": reduced}

    def _score_items(self, items: list, metric: str, compare=None) -> list[ItemScore]:
        return score_items(self, items, metric, compare=compare)

    # --- public API ---------------------------------------------------------------------------
    @_tokenising_once
    def score_sentences(
        self, sentences: Sequence[str], metric: str | None = None, *, compare=None
    ) -> list[float]:
        """Score each sentence with a per-sentence metric.

        Parameters
        ----------
        sentences : sequence of str
        metric : str, optional
            Masked LMs: ``pll``, ``pll_word_l2r``, ``aul``, ``aula``; causal LMs: ``ll``,
            ``geomean_prob``. None (the default): the registry's default for the model's kind
            (``pll`` masked, ``ll`` causal; ``trustkit.scoring.registry.default_metric``).
        compare : sequence of tuples of int, optional
            Groups of sentence indices whose scores are compared (e.g. ``[(0, 1)]``). With a
            guarded reduced precision their order and ties equal fp32's; a sentence in no group
            is scored in fp32. Ignored in plain fp32.

        Returns
        -------
        list of float
            Summed log-probability (``pll``, ``pll_word_l2r``, ``ll``) or the mean (``aul``,
            attention-weighted for ``aula``), in nats.

        Example
        -------
        >>> scorer.score_sentences(["The doctor is here."], "pll")  # doctest: +SKIP
        [-17.3]
        """
        metric = metric or default_metric(self.kind, "sentences")
        sentences = self._checked_sentences(sentences, metric)
        return [v.scores[0] for v in self._score_items(sentences, metric, compare=compare)]

    @_tokenising_once
    def score_pairs(
        self, pairs: pd.DataFrame, metric: str | None = None, *, drop_indistinguishable: bool = False
    ) -> pd.DataFrame:
        """Score both sentences of every pair; keep every input column, add scores and delta.

        Parameters
        ----------
        pairs : DataFrame
            Columns ``sent_more``, ``sent_less``; ``direction`` (stereo/antistereo) for the pair
            metrics ``crows`` and ``ll_shared``; ``pair_id`` names pairs in error messages.
        metric : str, optional
            Any per-sentence metric, or ``crows`` (masked) / ``ll_shared`` (causal). None (the
            default): the registry's default for the model's kind (``crows`` masked, ``ll`` causal).
        drop_indistinguishable : bool
            A pair whose two sentences tokenise to the same ids (case under an uncased
            tokenizer, emoji that both become [UNK], zero-width or bidi characters, a cut by
            ``truncate``) would count as a tie: it is refused with ``FILE:LINE`` and the reason,
            or with this flag (CLI: ``--drop-indistinguishable``) left out, named in a warning
            and in ``attrs["drop_indistinguishable"]``.

        Returns
        -------
        DataFrame
            The input columns plus ``score_more``, ``score_less``, ``delta = score_more −
            score_less``; pair metrics add ``n_shared`` (tokens scored in each sentence).

        Example
        -------
        >>> scorer.score_pairs(load_pairs("crows_pairs").head(5), "crows")  # doctest: +SKIP
        """
        with self.labelled(self._pairs_label(pairs)):
            return self._score_pairs(pairs, metric, drop_indistinguishable)

    def _score_pairs(self, pairs: pd.DataFrame, metric: str | None, drop_indistinguishable: bool):
        metric = metric or default_metric(self.kind, "pairs")
        pairs, names = self._checked_pairs(pairs, metric, drop_indistinguishable=drop_indistinguishable)
        out = pairs.copy()
        if get_metric(metric).unit == "sentence":
            sentences = list(pairs["sent_more"]) + list(pairs["sent_less"])
            n = len(pairs)
            values = self._score_items(sentences, metric, compare=[(i, n + i) for i in range(n)])
            out["score_more"] = [v.scores[0] for v in values[:n]]
            out["score_less"] = [v.scores[0] for v in values[n:]]
            pair_values: list[tuple[ItemScore, ...]] = list(zip(values[:n], values[n:]))
        else:
            stereo = [d == "stereo" for d in pairs["direction"]]
            items = [
                metric_order(m, le, d)
                for m, le, d in zip(pairs["sent_more"], pairs["sent_less"], pairs["direction"])
            ]
            values = self._score_items(items, metric)
            out["score_more"] = [v.scores[0 if s else 1] for v, s in zip(values, stereo)]
            out["score_less"] = [v.scores[1 if s else 0] for v, s in zip(values, stereo)]
            out["n_shared"] = [len(v.counted[0]) for v in values]
            pair_values = [(v,) for v in values]
            empty = [str(n) for n, v in zip(names, values) if not v.counted[0]]
            if empty:
                warnings.warn(
                    f"{len(empty)} pair(s) share no scorable token, so both sentences "
                    f"score 0 (a tie): {', '.join(empty[:10])}",
                    stacklevel=2,
                )
        out["delta"] = out["score_more"] - out["score_less"]
        out.attrs["metric"] = metric  # the tie rule of the bias score depends on it
        if self.precision.dtype is not None:  # which precision each row's scores come from
            out["precision"] = [pair_precision(vs) for vs in pair_values]
            out.attrs["precision"] = self.precision_report
        return out

    @_tokenising_once
    def score_tokens(self, data, metric: str | None = None) -> pd.DataFrame:
        """Per-token output for plots: one row per token of each sentence.

        Parameters
        ----------
        data : sequence of str, or a pair DataFrame (as for :meth:`score_pairs`)
        metric : str, optional
            As for :meth:`score_sentences`; None: the registry's per-sentence default.

        Returns
        -------
        DataFrame
            ``item`` (sentence index, pair_id, or (pair_id, para_index)), ``role`` (``sentence``/``more``/``less``),
            ``position``, ``token_id``, ``token``, ``log_prob`` (NaN where not computed),
            ``scored`` (whether it counts in the sentence score), and ``attention`` for ``aula``.
            Computed in fp32 whatever the scorer's precision: per-token values decide nothing the
            guard could check.

        Example
        -------
        >>> scorer.score_tokens(["The nurse is tired."], "pll").head()  # doctest: +SKIP
        """
        metric = metric or default_metric(self.kind, "sentences")
        if isinstance(data, pd.DataFrame):
            data, _ = self._checked_pairs(data, metric)
            names = list(data["pair_id"]) if "pair_id" in data.columns else list(range(len(data)))
            if "para_index" in data.columns:
                names = list(zip(names, data["para_index"]))
            if get_metric(metric).unit == "pair":
                items = [
                    metric_order(m, le, d)
                    for m, le, d in zip(data["sent_more"], data["sent_less"], data["direction"])
                ]
                values = self._score_items(items, metric, compare=[])  # per-token output: fp32
                # slot of sent_more / sent_less inside the metric.py-ordered item
                slots = [(0, 1) if d == "stereo" else (1, 0) for d in data["direction"]]
                entries = [
                    (name, role, v, slot[k])
                    for name, v, slot in zip(names, values, slots)
                    for k, role in enumerate(("more", "less"))
                ]
            else:
                n = len(data)
                values = self._score_items(
                    list(data["sent_more"]) + list(data["sent_less"]), metric, compare=[]
                )
                entries = [
                    (names[k], role, values[k + n * j], 0)
                    for k in range(n)
                    for j, role in enumerate(("more", "less"))
                ]
        else:
            values = self._score_items(self._checked_sentences(data, metric), metric, compare=[])
            entries = [(k, "sentence", v, 0) for k, v in enumerate(values)]
        return pd.DataFrame.from_records(token_records(self.tokenizer, entries))
