"""``trustkit score``: score the sentence pairs of a dataset or file with a model; write one row per pair.

Prints the CrowS-style summary (metric score, stereo %, antistereo %, n, ties) and writes a
provenance sidecar (``OUT.json``, naming the table's sha256) beside the table, both as one unit
(``trustkit.fileio.write_table_with_sidecar``). An existing ``--out`` is kept unless ``--force``;
an ``--out`` that is one of the inputs is refused.

Under ``torchrun --nproc-per-node N -m trustkit score ...`` the command joins the process group
(gloo on CPU, NCCL on CUDA, each rank on ``cuda:LOCAL_RANK``), every rank scores its share of
the pairs, and rank 0 alone writes the table, the sidecar and the summary.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from trustkit.cli._options import device_problem, lms_examples
from trustkit.cli._printout import format_summary, report_lines, utility_line
from trustkit.errors import InputError
from trustkit.metrics.crows import crows_summary
from trustkit.scoring.policy import NORMALISATIONS, CausalPolicy
from trustkit.scoring.registry import metrics
from trustkit.stats.compat import COMPAT_MODES

# stereoset_blank needs a BLANK context, not a pair (trustkit.metrics.score_stereoset_original)
METRIC_CHOICES = tuple(m.name for m in metrics() if m.unit in ("sentence", "pair"))
OUT_COLUMNS = ["pair_id", "bias_type", "direction", "score_more", "score_less", "delta"]
# kept in the table when the pair table has them (WinoBias' type, split, pronoun gender, ...)
EXTRA_COLUMNS = ("type", "split", "item", "occupation", "pronoun_gender", "only_pronoun_differs", "precision")


def register(subparsers) -> None:
    """Add the ``score`` sub-command."""
    p = subparsers.add_parser(
        "score",
        help="score sentence pairs with a masked or causal LM; write one row per pair",
        description="Scores every pair (sent_more, sent_less) and writes pair_id, bias_type, direction, "
        "score_more, score_less, delta = score_more - score_less.",
    )
    p.add_argument(
        "--model",
        required=True,
        help="hub id, local directory, .gguf file or bundle name (trustkit models list)",
    )
    p.add_argument(
        "--data", required=True, help="dataset name (crows_pairs, crows_pairs_revised, ...) or a pair file"
    )
    p.add_argument("--metric", choices=METRIC_CHOICES, help="the metric (required unless --compat names one)")
    p.add_argument(
        "--compat",
        choices=sorted(COMPAT_MODES),
        help="reproduce a peer's numbers exactly: metricpy (nyu-mll metric.py, masked LMs), "
        "lmeval (lm-evaluation-harness crows_pairs, causal), biasbench (bias-bench's "
        "CrowS for causal LMs); fixes metric, policy and aggregation",
    )
    g = p.add_argument_group("causal-LM scoring policy (trustkit.scoring.policy.CausalPolicy)")
    g.add_argument(
        "--prefix",
        help="what the sentence is conditioned on: bos (default: BOS, else EOS), "
        "eos, none, or literal text such as '<|endoftext|>'",
    )
    g.add_argument("--no-score-first", action="store_true", help="do not count the sentence's first token")
    g.add_argument(
        "--chat-template",
        action="store_true",
        help="score the sentence as the assistant's reply in the tokenizer's chat template "
        "(implies --prefix none unless given)",
    )
    g.add_argument("--system-prompt", help="system message for --chat-template")
    g.add_argument("--normalise", choices=NORMALISATIONS, help="sum (default), mean, per_char, per_byte")
    p.add_argument("--limit", type=int, metavar="N", help="score only the first N pairs")
    p.add_argument(
        "--utility",
        type=int,
        default=0,
        metavar="N",
        help="also score N held-out ACL Anthology abstracts (seed 0) for a utility score beside the bias "
        "score: perplexity (causal) or pseudo-perplexity (masked), per token and per byte (sidecar: utility)",
    )
    p.add_argument(
        "--stereoset-lms",
        type=lms_examples,
        metavar="N",
        help="also compute StereoSet's language-modeling score (LMS, with SS and ICAT) on N seeded "
        "intrasentence examples, or 'all', with StereoSet's own scorer (sidecar: stereoset_lms)",
    )
    p.add_argument(
        "--device", help="cpu (default), cuda, cuda:1, auto; under torchrun cuda means cuda:LOCAL_RANK"
    )
    p.add_argument(
        "--dtype",
        help="fp32 (default on CPU); bf16 (default on CUDA) or fp16: reduced precision with an fp32 "
        "guard, so every decision and tie equals fp32's; bf16-raw, fp16-raw: unguarded (faster, "
        "decisions may differ); a -autocast suffix autocasts over the fp32 weights instead of "
        "casting a copy of them",
    )
    p.add_argument(
        "--precision",
        choices=("fp32", "bf16", "fp16", "int8"),
        help="deployment precision of the model, applied as asked (no fp32 guard), on CPU too: "
        "bf16 weights, fp16 autocast or int8 dynamic quantization (trustkit.models.precision)",
    )
    p.add_argument(
        "--batch-tokens",
        type=int,
        metavar="N",
        help="padded tokens per forward pass, which bounds memory (default 2048 on CPU; "
        "on CUDA chosen from the free memory)",
    )
    p.add_argument(
        "--random-control",
        action="store_true",
        help="accept a random-weights control / a missing LM head (explicitly a control)",
    )
    p.add_argument(
        "--allow-pickle",
        action="store_true",
        help="fully unpickle a .bin that torch's weights-only reader refuses (runs its code)",
    )
    p.add_argument(
        "--truncate",
        action="store_true",
        help="cut sentences longer than the model's maximum instead of refusing them",
    )
    p.add_argument(
        "--errors",
        choices=["raise", "drop"],
        default="raise",
        help="bad pair rows: raise (default: list every one and stop) or drop (skip them; "
        "they are listed in the summary and the sidecar)",
    )
    p.add_argument(
        "--drop-indistinguishable",
        action="store_true",
        help="leave out (with a warning) pairs whose two sentences tokenise to the same ids, "
        "instead of refusing them",
    )
    p.add_argument("--no-cache", action="store_true", help="do not read or write the score cache")
    p.add_argument(
        "--out", help="output table: FILE.csv or FILE.parquet (without it: print the summary only)"
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing --out (and its sidecar)")
    p.set_defaults(func=run)


def sidecar_data_path(data: str, out: Path | None) -> str:
    """The ``data`` a sidecar records: a registered name as is, a pair file relative to the table's folder.

    ``trustkit.explore`` resolves it from the table, so the pair is found again from any working
    directory, and joins it only when its sha256 is the sidecar's ``data_sha256``.

    >>> sidecar_data_path("crows_pairs", Path("out/ll.csv"))
    'crows_pairs'
    """
    from trustkit.data.registry import REGISTRY

    if data in REGISTRY or out is None or not Path(data).exists():
        return data
    return os.path.relpath(Path(data).resolve(), Path(out).resolve().parent)


def scoring_request(args) -> tuple[str, CausalPolicy | None, object]:
    """The metric, causal policy and compatibility mode that the options ask for.

    Example
    -------
    >>> import argparse
    >>> a = argparse.Namespace(metric=None, compat="lmeval", prefix=None, no_score_first=False,
    ...                        chat_template=False, system_prompt=None, normalise=None)
    >>> scoring_request(a)[:2]
    ('ll', CausalPolicy(prefix='bos', score_first=True, chat_template=False, system_prompt=None, normalise='sum'))
    """
    from trustkit.stats.compat import get_compat

    flags = [f"--{n.replace('_', '-')}" for n in ("prefix", "system_prompt", "normalise") if getattr(args, n)]
    flags += [
        f
        for f, on in (("--no-score-first", args.no_score_first), ("--chat-template", args.chat_template))
        if on
    ]
    if args.compat:
        mode = get_compat(args.compat)
        if args.metric and args.metric != mode.metric:
            raise InputError(f"--compat {mode.name} scores with --metric {mode.metric}, not {args.metric}")
        if flags:
            raise InputError(f"--compat {mode.name} fixes the scoring policy; drop {', '.join(flags)}")
        return mode.metric, mode.policy, mode
    if not args.metric:
        raise InputError("give --metric (or --compat MODE)")
    if not flags:
        return args.metric, None, None
    prefix = args.prefix or ("none" if args.chat_template else "bos")
    policy = CausalPolicy(
        prefix=prefix,
        score_first=not args.no_score_first,
        chat_template=args.chat_template,
        system_prompt=args.system_prompt,
        normalise=args.normalise or "sum",
    )
    return args.metric, policy, None


def run(args) -> int:
    """Run the sub-command; 0 on success, 2 on a bad request (message on stderr).

    Under torchrun every rank runs this; a failure any rank meets while scoring is reported once,
    by rank 0, and every rank exits with the same code.
    """
    out = Path(args.out) if args.out else None
    problem = None
    if out is not None and out.suffix not in (".csv", ".parquet"):
        problem = f"--out must end in .csv or .parquet, got {out.name}"
    elif args.limit is not None and args.limit < 1:
        problem = "--limit must be a positive number of pairs"
    elif args.batch_tokens is not None and args.batch_tokens < 1:
        problem = f"--batch-tokens must be a positive number of tokens, got {args.batch_tokens}"
    elif args.utility < 0:
        problem = "--utility must be a number of held-out texts (0: none)"
    else:
        problem = device_problem(args.device)
    if problem:
        if os.environ.get("RANK", "0") == "0":  # under torchrun every rank sees it: rank 0 says it
            print(f"trustkit score: {problem}", file=sys.stderr)
        return 2
    from trustkit.scoring.distributed import joined_process_group

    with joined_process_group(args.device) as (rank, size, device):
        try:
            return _score(args, out, rank, size, device)
        except Exception as err:
            if getattr(err, "gathered", False) and rank != 0:
                return 2 if isinstance(err, (ValueError, FileNotFoundError)) else 1  # rank 0 reports it
            raise


def _prepare(args, out: Path | None, device):
    """Everything before scoring: the request, the output path, the pairs, the model, the scorer."""
    from trustkit.data import load_pairs
    from trustkit.fileio import check_output_path
    from trustkit.models import load_pretrained
    from trustkit.scoring import load_scorer

    metric, policy, mode = scoring_request(args)
    if out is not None:
        check_output_path(out, inputs=[args.data, args.model], force=args.force)
    pairs = load_pairs(args.data, errors=args.errors)
    if args.limit:
        pairs = pairs.head(args.limit)
    if pairs.empty:
        raise InputError(f"{args.data} holds no pairs to score")
    model = load_pretrained(
        args.model,
        device=device,
        allow_pickle=args.allow_pickle,
        random_control=args.random_control,
        precision=args.precision,
    )
    if mode is not None and model.kind != mode.kind:
        raise InputError(
            f"--compat {mode.name} reproduces {mode.peer.split(' ')[0]} on {mode.kind} LMs; "
            f"{args.model} is a {model.kind} LM"
        )
    scorer = load_scorer(
        model,
        device=device,
        dtype=args.dtype,
        batch_tokens=args.batch_tokens,
        cache=not args.no_cache,
        truncate=args.truncate,
        policy=policy,
    )
    return metric, mode, pairs, scorer


def _score(args, out: Path, rank: int, size: int, device) -> int:
    import time

    from trustkit.fileio import write_table_with_sidecar
    from trustkit.scoring.distributed import check_every_rank

    setup_error = None
    try:
        metric, mode, pairs, scorer = _prepare(args, out, device)
    except Exception as err:  # exchanged first, so that a failure every rank meets prints once
        setup_error = err
    try:
        check_every_rank(setup_error)
        start = time.perf_counter()
        scored = scorer.score_pairs(pairs, metric, drop_indistinguishable=args.drop_indistinguishable)
        seconds = time.perf_counter() - start
    except (ValueError, FileNotFoundError) as err:
        if rank == 0 or not getattr(err, "gathered", False):
            print(f"trustkit score: {err}", file=sys.stderr)
        return 2
    if rank != 0:
        return 0
    table = scored[[c for c in OUT_COLUMNS + list(EXTRA_COLUMNS) if c in scored.columns]].copy()
    summary = crows_summary(scored, metric=metric)
    sidecar = {
        "metric": metric,
        "data": sidecar_data_path(args.data, out),
        "limit": args.limit,
        "data_source": str(pairs.attrs.get("source", args.data)),
        "data_sha256": pairs.attrs.get("sha256"),
        "dropped": pairs.attrs.get("dropped", []),
        "dropped_indistinguishable": scored.attrs.get("drop_indistinguishable", []),
        "model": scorer.provenance,
        "engine": scorer.identity(),
        "summary": summary,
        "policy": scorer.policy.record() if scorer.kind == "causal" else None,
        "seconds": round(seconds, 3),
        "stats": scorer.stats,
        "precision": scorer.precision_report or {"dtype": scorer.precision.name},
        "ranks": size,
    }
    lines = [format_summary(summary, metric)]
    if mode is not None:
        from trustkit.stats.compat import compat_summary, format_compat

        sidecar["compat"] = compat_summary(scored, mode.name)
        lines.append(format_compat(sidecar["compat"]))
        if args.data not in mode.data:
            lines.append(f"note: {mode.name} evaluates on {' / '.join(mode.data)}; this is {args.data}")
    lines += report_lines(scored, pairs, metric)
    if args.utility:
        from trustkit.metrics.utility import heldout_texts, perplexity

        sidecar["utility"] = perplexity(scorer, heldout_texts(args.utility))
        lines.append(utility_line(sidecar["utility"]))
    if args.stereoset_lms is not None:
        from trustkit.metrics.utility import lms_line, stereoset_lms

        sidecar["stereoset_lms"] = stereoset_lms(scorer, n_examples=args.stereoset_lms or None)
        lines.append(lms_line(sidecar["stereoset_lms"]))
    if out is not None:
        write_table_with_sidecar(table, out, sidecar)
    print("\n".join(lines))
    if scorer.kind == "causal":
        print(f"policy: {scorer.policy.describe()}")
    ranks = f" on {size} ranks" if size > 1 else ""
    where = (
        f"wrote {len(table)} pairs to {out}" if out is not None else f"scored {len(table)} pairs (no --out)"
    )
    print(
        f"{where} ({scorer.stats['items_cached']} items from the cache, "
        f"{scorer.stats['rows_computed']} rows computed{ranks}, {seconds:.1f} s)"
    )
    return 0
