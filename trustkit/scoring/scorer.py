"""The scorer object shared by masked and causal LMs: caching, pair tables and per-token output.

Subclasses say how a sentence or pair becomes rows (``_plan``) and how a batch is run (``_step``);
everything else — deduplication, the disk cache, resumption, the pair table — lives here.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
import torch

from trustkit.scoring.batching import Row, run_rows
from trustkit.scoring.cache import CacheError, CacheIntegrityWarning, ScoreCache, item_key
from trustkit.scoring.checks import check_pair_rows, check_vocabulary
from trustkit.scoring.crows import metric_order
from trustkit.scoring.fingerprints import model_fingerprint, tokenizer_fingerprint

__all__ = ["Plan", "Scorer", "model_fingerprint", "tokenizer_fingerprint"]

UNBOUNDED = 10**6  # tokenizers report ~1e30 when they know no maximum length


@dataclass
class Plan:
    """How one item (a sentence, or a pair for pair metrics) is scored: its rows and what counts."""

    ids: list[list[int]]
    rows: list[Row]
    counted: list[list[int]]  # per sentence: positions summed (or averaged) into its score
    reduce: str = "sum"  # "sum", "mean" or "weighted_mean"
    row_index: list[int] = field(default_factory=list)


class Scorer:
    """Base class: use :class:`MaskedLMScorer` or :class:`CausalLMScorer` (or ``load_scorer``).

    Parameters
    ----------
    model, tokenizer : a transformers LM and its tokenizer.
    device : where to run (default: the model's device).
    dtype : GPU autocast precision (bf16 by default on CUDA); CPU always runs fp32.
    batch_tokens : padded tokens per forward pass (default 2048 CPU, 65536 GPU).
    cache : True (the default cache file: if it cannot be opened, read or written, one warning
        and the run goes on uncached), a path or a :class:`ScoreCache` (asked for explicitly:
        such a failure raises :class:`CacheError`), or False.
    model_id : the weights' identity for cache keys (file hashes); default: a hash of the tensors.
    truncate : cut over-long sentences instead of refusing them.
    progress : tqdm progress bars.
    """

    kind = "base"
    sentence_metrics: tuple[str, ...] = ()
    pair_metrics: tuple[str, ...] = ()
    #: names the model and data in progress bars ("smollm2 · crows_pairs · ll rows"); see trustkit.study
    progress_label = ""

    def __init__(self, model, tokenizer, *, device=None, dtype=None, batch_tokens: int | None = None,
                 cache: bool | str | ScoreCache = True, model_id: str | None = None,
                 truncate: bool = False, progress: bool = True):
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.device = torch.device(device) if device else next(model.parameters()).device
        if self.model.device != self.device:
            self.model.to(self.device)
        if dtype is not None:
            from trustkit.models import parse_dtype

            dtype = parse_dtype(dtype)  # "bf16", "fp16", "fp32" or a torch dtype; clear error otherwise
        if dtype is None and self.device.type == "cuda":
            dtype = torch.bfloat16
        if self.device.type == "cpu" or dtype == torch.float32:
            if dtype not in (None, torch.float32):
                warnings.warn(f"dtype {dtype} ignored: trustkit scores in fp32 on CPU", stacklevel=2)
            dtype = None  # plain fp32, no autocast
        self.dtype = dtype
        self.batch_tokens = batch_tokens or (65536 if self.device.type == "cuda" else 2048)
        self.truncate = truncate
        self.progress = progress
        self.model_id = model_id
        self._cache_explicit = cache is not True
        if cache is True or isinstance(cache, (str, os.PathLike)):
            try:
                cache = ScoreCache(None if cache is True else cache)
            except CacheError as err:
                if self._cache_explicit:
                    raise
                warnings.warn(f"{err}; going on without it", stacklevel=2)
                cache = None
        # (not ``cache or None``: an empty cache has len 0 and would read as False)
        self.cache: ScoreCache | None = cache if isinstance(cache, ScoreCache) else None
        self.stats = {"rows_computed": 0, "items_computed": 0, "items_cached": 0}
        self._identity_cache: dict | None = None
        check_vocabulary(model, tokenizer)
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
        self.max_length = self._max_length()

    # --- what subclasses provide -------------------------------------------------------------
    def _plan(self, item, metric: str) -> Plan:  # pragma: no cover - abstract
        raise NotImplementedError

    def _step(self, metric: str):  # pragma: no cover - abstract
        raise NotImplementedError

    def _encode(self, sentence: str) -> list[int]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _max_length(self) -> int:
        config = self.model.config
        limit = getattr(config, "max_position_embeddings", None) or UNBOUNDED
        if config.model_type in ("roberta", "xlm-roberta", "camembert", "data2vec-text"):
            limit -= (config.pad_token_id or 0) + 1  # positions start after the padding index
        tok_limit = getattr(self.tokenizer, "model_max_length", UNBOUNDED) or UNBOUNDED
        return int(min(limit, tok_limit if tok_limit < UNBOUNDED else UNBOUNDED))

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
        return self._identity_cache

    def problem(self, sentence) -> str | None:
        """Why a sentence cannot be scored (empty, too long), or None when it can."""
        if not isinstance(sentence, str) or not sentence.strip():
            return "the sentence is empty"
        n = len(self._encode(sentence))
        if n > self.max_length and not self.truncate:
            return (f"the sentence has {n} tokens, more than the model's maximum of "
                    f"{self.max_length}; shorten it or pass truncate=True (CLI: --truncate)")
        return None

    def _check_metric(self, metric: str, allowed: Sequence[str]) -> None:
        if metric not in allowed:
            raise ValueError(f"metric {metric!r} is not available for a {self.kind} LM here; "
                             f"choose one of {', '.join(allowed)}")

    def _score_items(self, items: list, metric: str) -> list[dict]:
        unique = list(dict.fromkeys(items))
        values: dict = {}
        keys: dict = {}
        if self.cache is not None:
            keys = {it: item_key(self.identity(), metric, it) for it in unique}
            stored = self._cache_call("get_many", keys.values()) or {}
            values = {it: stored[keys[it]] for it in unique if keys[it] in stored}
            self.stats["items_cached"] += len(values)
        todo = [it for it in unique if it not in values]
        plans = [self._plan(it, metric) for it in todo]
        rows: list[Row] = []
        row_item: list[int] = []
        remaining: list[int] = []
        for n, plan in enumerate(plans):
            plan.row_index = list(range(len(rows), len(rows) + len(plan.rows)))
            rows.extend(plan.rows)
            row_item.extend([n] * len(plan.rows))
            remaining.append(len(plan.rows))
        pending: dict = {}

        def finish(n: int, results) -> None:
            value = self._finish(plans[n], results)
            values[todo[n]] = value
            self.stats["items_computed"] += 1
            if self.cache is not None:
                pending[keys[todo[n]]] = value

        def on_batch_done(batch, results) -> None:
            self.stats["rows_computed"] += len(batch)
            for i in batch:
                n = row_item[i]
                remaining[n] -= 1
                if remaining[n] == 0:
                    finish(n, results)
            if self.cache is not None:
                self._cache_call("put_many", pending)
                pending.clear()

        for n, plan in enumerate(plans):  # e.g. a pair with no shared tokens: nothing to run
            if not plan.rows:
                finish(n, [])
        if rows:
            with torch.inference_mode():
                run_rows(rows, self._step(metric), batch_tokens=self.batch_tokens,
                         pad_id=self.pad_id, mask_id=getattr(self.tokenizer, "mask_token_id", None),
                         device=self.device, progress=self.progress, desc=" · ".join(filter(None, [self.progress_label, f"{metric} rows"])),
                         on_batch_done=on_batch_done)
        elif self.cache is not None:
            self._cache_call("put_many", pending)
        return [values[it] for it in items]

    def _cache_call(self, method: str, arg):
        """Call the cache; on failure raise (cache asked for explicitly) or warn once and drop it."""
        try:
            result = getattr(self.cache, method)(arg)
        except CacheError as err:
            if self._cache_explicit:
                raise
            warnings.warn(f"{err}; going on without it", stacklevel=3)
            self.cache = None
            return None
        if self.cache.corrupt:
            warnings.warn(f"{self.cache.corrupt} cached value(s) in {self.cache.path} failed their "
                          "checksum and are recomputed", CacheIntegrityWarning, stacklevel=3)
            self.cache.corrupt = 0
        return result

    @staticmethod
    def _finish(plan: Plan, results) -> dict:
        log_probs = [[None] * len(ids) for ids in plan.ids]
        weights = [[None] * len(ids) for ids in plan.ids]
        for row, i in zip(plan.rows, plan.row_index):
            slot, positions = row.owner  # which sentence of the item, which of its positions
            lps, extras = results[i]
            for k, pos in enumerate(positions):
                log_probs[slot][pos] = lps[k]
                if extras is not None:
                    weights[slot][pos] = extras[k]
        scores = []
        for slot, counted in enumerate(plan.counted):
            vals = [log_probs[slot][p] for p in counted]
            if plan.reduce == "weighted_mean":
                vals = [v * weights[slot][p] for v, p in zip(vals, counted)]
            if plan.reduce == "sum":
                scores.append(float(sum(vals)))
            else:
                scores.append(float(sum(vals) / len(vals)) if vals else float("nan"))
        value = {"s": scores, "ids": plan.ids, "lp": log_probs, "counted": plan.counted}
        if plan.reduce == "weighted_mean":
            value["w"] = weights
        return value

    def _checked_sentences(self, sentences, metric: str) -> list[str]:
        self._check_metric(metric, self.sentence_metrics)
        sentences = list(sentences)
        refused = [f"sentence {k} ({str(s)[:60]!r}): {why}" for k, s in enumerate(sentences)
                   if (why := self.problem(s))]
        if refused:
            raise ValueError("\n".join(refused))
        return sentences

    def _checked_pairs(self, pairs: pd.DataFrame, metric: str) -> list:
        """Validate a pair table; return the pair names used in messages (pair_id or row number)."""
        self._check_metric(metric, self.sentence_metrics + self.pair_metrics)
        missing = {"sent_more", "sent_less"} - set(pairs.columns)
        if metric in self.pair_metrics:
            missing |= {"direction"} - set(pairs.columns)
        if missing:
            raise ValueError(f"the pair table lacks column(s) {sorted(missing)}; it needs "
                             "sent_more, sent_less (and direction for pair metrics)")
        return check_pair_rows(self, pairs)

    # --- public API ---------------------------------------------------------------------------
    def score_sentences(self, sentences: Sequence[str], metric: str = "pll") -> list[float]:
        """Score each sentence with a per-sentence metric.

        Parameters
        ----------
        sentences : sequence of str
        metric : str
            Masked LMs: ``pll``, ``pll_word_l2r``, ``aul``, ``aula``; causal LMs: ``ll``.

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
        sentences = self._checked_sentences(sentences, metric)
        return [v["s"][0] for v in self._score_items(sentences, metric)]

    def score_pairs(self, pairs: pd.DataFrame, metric: str = "crows") -> pd.DataFrame:
        """Score both sentences of every pair; keep every input column, add scores and delta.

        Parameters
        ----------
        pairs : DataFrame
            Columns ``sent_more``, ``sent_less``; ``direction`` (stereo/antistereo) for the pair
            metrics ``crows`` and ``ll_shared``; ``pair_id`` names pairs in error messages.
        metric : str
            Any per-sentence metric, or ``crows`` (masked) / ``ll_shared`` (causal).

        Returns
        -------
        DataFrame
            The input columns plus ``score_more``, ``score_less``, ``delta = score_more −
            score_less``; pair metrics add ``n_shared`` (tokens scored in each sentence).

        Example
        -------
        >>> scorer.score_pairs(load_pairs("crows_pairs").head(5), "crows")  # doctest: +SKIP
        """
        names = self._checked_pairs(pairs, metric)
        out = pairs.copy()
        if metric in self.sentence_metrics:
            sentences = list(pairs["sent_more"]) + list(pairs["sent_less"])
            scores = [v["s"][0] for v in self._score_items(sentences, metric)]
            out["score_more"] = scores[: len(pairs)]
            out["score_less"] = scores[len(pairs):]
        else:
            stereo = [d == "stereo" for d in pairs["direction"]]
            items = [metric_order(m, l, d) for m, l, d in
                     zip(pairs["sent_more"], pairs["sent_less"], pairs["direction"])]
            values = self._score_items(items, metric)
            out["score_more"] = [v["s"][0 if s else 1] for v, s in zip(values, stereo)]
            out["score_less"] = [v["s"][1 if s else 0] for v, s in zip(values, stereo)]
            out["n_shared"] = [len(v["counted"][0]) for v in values]
            empty = [str(n) for n, v in zip(names, values) if not v["counted"][0]]
            if empty:
                warnings.warn(f"{len(empty)} pair(s) share no scorable token, so both sentences "
                              f"score 0 (a tie): {', '.join(empty[:10])}", stacklevel=2)
        out["delta"] = out["score_more"] - out["score_less"]
        out.attrs["metric"] = metric  # the tie rule of the bias score depends on it
        return out

    def score_tokens(self, data, metric: str = "pll") -> pd.DataFrame:
        """Per-token output for plots: one row per token of each sentence.

        Parameters
        ----------
        data : sequence of str, or a pair DataFrame (as for :meth:`score_pairs`)
        metric : str

        Returns
        -------
        DataFrame
            ``item`` (sentence index, pair_id, or (pair_id, para_index)), ``role`` (``sentence``/``more``/``less``),
            ``position``, ``token_id``, ``token``, ``log_prob`` (NaN where not computed),
            ``scored`` (whether it counts in the sentence score), and ``attention`` for ``aula``.

        Example
        -------
        >>> scorer.score_tokens(["The nurse is tired."], "pll").head()  # doctest: +SKIP
        """
        if isinstance(data, pd.DataFrame):
            self._checked_pairs(data, metric)
            names = list(data["pair_id"]) if "pair_id" in data.columns else list(range(len(data)))
            if "para_index" in data.columns:
                names = list(zip(names, data["para_index"]))
            if metric in self.pair_metrics:
                items = [metric_order(m, l, d) for m, l, d in
                         zip(data["sent_more"], data["sent_less"], data["direction"])]
                values = self._score_items(items, metric)
                # slot of sent_more / sent_less inside the metric.py-ordered item
                slots = [(0, 1) if d == "stereo" else (1, 0) for d in data["direction"]]
                entries = [(name, role, v, slot[k]) for name, v, slot in zip(names, values, slots)
                           for k, role in enumerate(("more", "less"))]
            else:
                n = len(data)
                values = self._score_items(list(data["sent_more"]) + list(data["sent_less"]), metric)
                entries = [(names[k], role, values[k + n * j], 0) for k in range(n)
                           for j, role in enumerate(("more", "less"))]
        else:
            values = self._score_items(self._checked_sentences(data, metric), metric)
            entries = [(k, "sentence", v, 0) for k, v in enumerate(values)]
        records = []
        for item, role, v, slot in entries:
            ids = v["ids"][slot]
            tokens = self.tokenizer.convert_ids_to_tokens(ids)
            counted = set(v["counted"][slot])
            for pos, (tid, tok) in enumerate(zip(ids, tokens)):
                lp = v["lp"][slot][pos]
                rec = {"item": item, "role": role, "position": pos, "token_id": tid, "token": tok,
                       "log_prob": math.nan if lp is None else lp, "scored": pos in counted}
                if "w" in v:
                    w = v["w"][slot][pos]
                    rec["attention"] = math.nan if w is None else w
                records.append(rec)
        return pd.DataFrame.from_records(records)
