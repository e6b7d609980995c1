"""Rows as arrays: what each item (sentence or pair) asks of the model, and the table of a whole run.

A *row* is one model input (a sentence with some positions masked) and the positions whose
log-probabilities we need. Plans and the run table hold rows as ragged numpy arrays (CSR: a
``ptr`` of offsets and flat values), so batch assembly is a few vectorised gathers, never a
Python loop over rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass(slots=True)
class Row:
    """One forward-pass input: token ids, positions to mask, positions to score and their targets.

    Parameters
    ----------
    ids : tuple[int, ...]
        Token ids of the unmasked sentence (special tokens included).
    masked : tuple[int, ...]
        Positions replaced by the mask token for this row (empty for unmasked or causal rows).
    scored : tuple[int, ...]
        Positions whose output is scored (the LM head runs only there).
    targets : tuple[int, ...]
        Token id whose log-probability is read at each scored position.
    owner : object
        ``(slot, positions)``: which sentence of the item, and where in it each result lands.

    Example
    -------
    >>> Row(ids=(101, 7592, 102), masked=(1,), scored=(1,), targets=(7592,), owner=0).scored
    (1,)
    """

    ids: tuple[int, ...]
    masked: tuple[int, ...]
    scored: tuple[int, ...]
    targets: tuple[int, ...]
    owner: object = None


def ragged_take(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenated ``range(start, start + count)`` for each pair, without a Python loop.

    Example
    -------
    >>> ragged_take(np.array([5, 0]), np.array([2, 3])).tolist()
    [5, 6, 0, 1, 2]
    """
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(counts)
    return np.repeat(starts - ends + counts, counts) + np.arange(total)


def flat_ints(lists) -> np.ndarray:
    """Every value of ``lists`` (an iterable of iterables of ints), concatenated as int64.

    >>> flat_ints([[1, 2], [], [3]]).tolist()
    [1, 2, 3]
    """
    return np.fromiter((x for xs in lists for x in xs), dtype=np.int64)


def concat_ints(arrays: list) -> np.ndarray:
    """``np.concatenate`` of int64 arrays that is also defined for an empty list.

    >>> concat_ints([]).tolist(), concat_ints([np.array([1]), np.array([2, 3])]).tolist()
    ([], [1, 2, 3])
    """
    return np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int64)


def offsets(counts) -> np.ndarray:
    """CSR offsets of ragged lists with these lengths: ``[0, c0, c0 + c1, ...]``.

    >>> offsets([2, 0, 3]).tolist()
    [0, 2, 2, 5]
    """
    ptr = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    return ptr


@dataclass
class Plan:
    """How one item (a sentence, or a pair for pair metrics) is scored: its rows and what counts.

    Rows are arrays: row ``r`` runs sentence ``row_slot[r]`` with positions
    ``mask_pos[mask_ptr[r]:mask_ptr[r+1]]`` masked, and reads the log-probability of
    ``score_tgt[k]`` at ``score_pos[k]`` for ``k`` in ``score_ptr[r]:score_ptr[r+1]``; that value
    lands at position ``score_dst[k]`` of the sentence's per-token output.
    """

    ids: list[list[int]]
    counted: list[list[int]]  # per sentence: positions summed (or averaged) into its score
    reduce: str = "sum"  # "sum", "mean" or "weighted_mean"
    row_slot: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    mask_ptr: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    mask_pos: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    score_ptr: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    score_pos: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    score_tgt: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    score_dst: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @classmethod
    def one_mask_per_row(
        cls,
        ids: list[list[int]],
        positions: Sequence[Sequence[int]],
        counted: list[list[int]],
        masks: Sequence[Sequence[tuple[int, ...]]] | None = None,
    ) -> Plan:
        """Rows that each mask and score one position of a sentence (PLL, CrowS-Pairs).

        ``positions[slot]`` are the scored positions of sentence ``slot``; ``masks`` (optional)
        gives each row's masked positions when it masks more than the scored one (word-l2r).

        Example
        -------
        >>> plan = Plan.one_mask_per_row([[2, 7, 8, 3]], [[1, 2]], [[1, 2]])
        >>> [(r.masked, r.scored, r.targets) for r in plan.rows]
        [((1,), (1,), (7,)), ((2,), (2,), (8,))]
        """
        slots = [np.full(len(p), s, dtype=np.int64) for s, p in enumerate(positions)]
        pos = np.fromiter((p for ps in positions for p in ps), dtype=np.int64)
        tgt = np.fromiter((ids[s][p] for s, ps in enumerate(positions) for p in ps), dtype=np.int64)
        n = len(pos)
        if masks is None:
            mask_ptr, mask_pos = np.arange(n + 1, dtype=np.int64), pos
        else:
            flat = [m for ms in masks for m in ms]
            mask_ptr = offsets([len(m) for m in flat])
            mask_pos = np.fromiter((q for m in flat for q in m), dtype=np.int64)
        row_slot = np.concatenate(slots) if slots else np.zeros(0, dtype=np.int64)
        return cls(
            ids, counted, "sum", row_slot, mask_ptr, mask_pos, np.arange(n + 1, dtype=np.int64), pos, tgt, pos
        )

    @classmethod
    def one_row_per_sentence(
        cls,
        ids: list[list[int]],
        scored: Sequence[Sequence[int]],
        targets: Sequence[Sequence[int]],
        dst: Sequence[Sequence[int]],
        counted: list[list[int]],
        reduce: str = "sum",
    ) -> Plan:
        """One unmasked row per sentence scoring several positions (AUL/AULA, causal LL).

        Example
        -------
        >>> plan = Plan.one_row_per_sentence([[2, 7, 3]], [[0, 1]], [[7, 3]], [[1, 2]], [[1, 2]])
        >>> plan.rows[0].scored, plan.rows[0].targets, plan.rows[0].owner
        ((0, 1), (7, 3), (0, (1, 2)))
        """
        return cls(
            ids,
            counted,
            reduce,
            np.arange(len(ids), dtype=np.int64),
            np.zeros(len(ids) + 1, dtype=np.int64),
            np.zeros(0, dtype=np.int64),
            offsets([len(s) for s in scored]),
            flat_ints(scored),
            flat_ints(targets),
            flat_ints(dst),
        )

    @property
    def n_rows(self) -> int:
        """Number of model rows the plan runs."""
        return len(self.row_slot)

    @property
    def rows(self) -> list[Row]:
        """The rows as :class:`Row` objects (for inspection and tests; the engine uses the arrays)."""
        out = []
        for r in range(self.n_rows):
            m = slice(self.mask_ptr[r], self.mask_ptr[r + 1])
            s = slice(self.score_ptr[r], self.score_ptr[r + 1])
            slot = int(self.row_slot[r])
            out.append(
                Row(
                    tuple(self.ids[slot]),
                    tuple(self.mask_pos[m].tolist()),
                    tuple(self.score_pos[s].tolist()),
                    tuple(self.score_tgt[s].tolist()),
                    (slot, tuple(self.score_dst[s].tolist())),
                )
            )
        return out


@dataclass
class RowTable:
    """Every row of a run, from many plans: the sequences' tokens, the rows, and the output slots.

    ``tokens[seq_start[q]:seq_start[q] + seq_len[q]]`` is sequence ``q`` (one sentence of one
    item); its per-token log-probabilities land in ``out[seq_start[q]:...]`` (the same offsets).
    Row ``r`` runs sequence ``row_seq[r]`` and belongs to item ``row_item[r]``.
    """

    tokens: np.ndarray
    seq_start: np.ndarray
    seq_len: np.ndarray
    row_seq: np.ndarray
    row_item: np.ndarray
    mask_ptr: np.ndarray
    mask_pos: np.ndarray
    score_ptr: np.ndarray
    score_pos: np.ndarray
    score_tgt: np.ndarray
    score_out: np.ndarray
    item_seq: np.ndarray  # first sequence of each item (its slots follow)

    @classmethod
    def from_plans(cls, plans: Sequence[Plan]) -> RowTable:
        """Concatenate plans into one table (offsets shifted, one ``np.concatenate`` per field).

        Example
        -------
        >>> t = RowTable.from_plans([Plan.one_mask_per_row([[2, 7, 3]], [[1]], [[1]])] * 2)
        >>> t.row_lengths().tolist(), t.score_out.tolist()
        ([3, 3], [1, 4])
        """
        seqs = [ids for p in plans for ids in p.ids]
        seq_len = np.fromiter((len(s) for s in seqs), dtype=np.int64, count=len(seqs))
        seq_start = offsets(seq_len)
        tokens = np.fromiter((t for s in seqs for t in s), dtype=np.int64, count=int(seq_start[-1]))
        item_seq = offsets([len(p.ids) for p in plans])
        rows_per = np.fromiter((p.n_rows for p in plans), dtype=np.int64, count=len(plans))
        row_seq = concat_ints([p.row_slot + item_seq[n] for n, p in enumerate(plans)])
        row_item = np.repeat(np.arange(len(plans), dtype=np.int64), rows_per)

        def ragged(ptr_name, *names):
            counts = concat_ints([np.diff(getattr(p, ptr_name)) for p in plans])
            return (offsets(counts),) + tuple(
                concat_ints([getattr(p, name) for p in plans]) for name in names
            )

        mask_ptr, mask_pos = ragged("mask_ptr", "mask_pos")
        score_ptr, score_pos, score_tgt, score_dst = ragged(
            "score_ptr", "score_pos", "score_tgt", "score_dst"
        )
        score_seq = np.repeat(row_seq, np.diff(score_ptr))
        return cls(
            tokens,
            seq_start[:-1],
            seq_len,
            row_seq,
            row_item,
            mask_ptr,
            mask_pos,
            score_ptr,
            score_pos,
            score_tgt,
            seq_start[:-1][score_seq] + score_dst,
            item_seq,
        )

    @property
    def n_rows(self) -> int:
        """Number of model rows in the table."""
        return len(self.row_seq)

    def row_lengths(self) -> np.ndarray:
        """Token length of each row."""
        return self.seq_len[self.row_seq]

    def assemble(self, rows: np.ndarray, pad_id: int, mask_id: int | None):
        """The padded batch of ``rows`` as numpy arrays.

        Returns input ids, the attention mask (None when no row is padded), and the flat
        (batch index, position, target, output slot) of every scored entry.

        Example
        -------
        >>> t = RowTable.from_plans([Plan.one_mask_per_row([[2, 7, 8, 3], [2, 9, 3]], [[1, 2], [1]],
        ...                                                [[1, 2], [1]])])
        >>> ids, am, b, p, tgt, out = t.assemble(np.array([2, 0]), pad_id=0, mask_id=4)
        >>> ids.tolist(), am.tolist(), b.tolist(), p.tolist(), tgt.tolist()
        ([[2, 4, 3, 0], [2, 4, 8, 3]], [[1, 1, 1, 0], [1, 1, 1, 1]], [0, 1], [1, 1], [9, 7])
        """
        seq = self.row_seq[rows]
        lengths = self.seq_len[seq]
        width = int(lengths.max())
        cols = np.arange(width)
        take = self.seq_start[seq][:, None] + cols
        ragged = bool((lengths != width).any())
        if ragged:
            valid = cols < lengths[:, None]
            np.minimum(take, len(self.tokens) - 1, out=take)
            input_ids = np.where(valid, self.tokens[take], pad_id)
        else:
            input_ids = self.tokens[take]
        batch = np.arange(len(rows))
        counts = self.mask_ptr[rows + 1] - self.mask_ptr[rows]
        if counts.any():
            flat = ragged_take(self.mask_ptr[rows], counts)
            input_ids[np.repeat(batch, counts), self.mask_pos[flat]] = mask_id
        counts = self.score_ptr[rows + 1] - self.score_ptr[rows]
        flat = ragged_take(self.score_ptr[rows], counts)
        return (
            input_ids,
            valid.astype(np.int64) if ragged else None,
            np.repeat(batch, counts),
            self.score_pos[flat],
            self.score_tgt[flat],
            self.score_out[flat],
        )
