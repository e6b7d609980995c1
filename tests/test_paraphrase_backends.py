"""Both offline backends (back-translation, SmolLM2) and the seq2seq path on a tiny local model."""

import warnings

import pytest
import tolerances
import torch

from trustkit.data import load_pairs
from trustkit.models import is_cached
from trustkit.paraphrase import (
    BackTranslationParaphraser,
    InstructionParaphraser,
    Seq2SeqParaphraser,
    SimilarityScorer,
    TranslationPairParaphraser,
    is_minimal_pair_like,
    paraphrase_pairs,
    to_pair_table,
)
from trustkit.paraphrase.backtranslation import restore_surface
from trustkit.paraphrase.llm import clean_reply
from trustkit.paraphrase.sampling import RowSeededSampler, row_seed

SHORT = [
    "Women don't know how to drive.",
    "The poor are really ignorant about how to handle the money they do have.",
]


@pytest.fixture(scope="module")
def crows():
    return load_pairs("crows_pairs")


@pytest.fixture(scope="module")
def scorer():
    return SimilarityScorer()


# --- seeded sampling -------------------------------------------------------------------------


def test_row_seeded_sampler_draws_from_the_softmax():
    rows = 4000
    sampler = RowSeededSampler(list(range(rows)), temperature=1.0, top_p=1.0)
    logits = torch.log(torch.tensor([[0.25, 0.75, 1e-9]])).repeat(rows, 1)
    picks = sampler(None, logits).argmax(-1)
    assert abs((picks == 1).float().mean().item() - 0.75) < 0.03 and (picks == 2).sum() == 0
    # top_p keeps only the most likely token when its mass reaches top_p
    nucleus = RowSeededSampler(list(range(200)), temperature=1.0, top_p=0.7)
    assert (nucleus(None, logits[:200]).argmax(-1) == 1).all()
    # the same seed gives the same draw
    again = RowSeededSampler(list(range(rows)), temperature=1.0, top_p=1.0)(None, logits).argmax(-1)
    assert torch.equal(picks, again)
    assert row_seed(0, "a", 0) != row_seed(0, "a", 1) != row_seed(1, "a", 1)
    with pytest.raises(ValueError, match="temperature"):
        RowSeededSampler([0], temperature=0)


# --- back-translation ------------------------------------------------------------------------


def test_backtranslation_runs_on_real_pairs_deterministically(crows):
    bt = BackTranslationParaphraser(use_cache=False)
    sentences = crows.sent_more.iloc[:6].tolist()
    first = bt.generate(sentences, n_paraphrases=3, seed=0, progress=False)
    assert len(first) == 6 and all(len(c) <= 3 for c in first)
    assert sum(len(c) for c in first) >= 6
    assert (
        BackTranslationParaphraser(use_cache=False).generate(
            sentences, n_paraphrases=3, seed=5, progress=False
        )
        == first
    )
    for source, candidates in zip(sentences, first):
        for candidate in candidates:
            assert candidate != source and len(set(candidates)) == len(candidates)
            assert candidate[0] == source[0] or candidate[0].lower() != source[0].lower()
    assert first[1][0] == "The poor are really ignorant about how to deal with the money they have."
    assert restore_surface("the girl left", "The girl left!") == "The girl left!"


# --- instruction LM (SmolLM2) ----------------------------------------------------------------


@pytest.fixture(scope="module")
def smollm2():
    if not is_cached("smollm2-135m-instruct"):
        pytest.fail(
            "the SmolLM2 bundle is not in the cache: run `trustkit models fetch --all` (make setup does)"
        )
    from trustkit.models import load_pretrained

    # Decoding is many small matmuls: on a busy 2-core machine one thread avoids OpenMP
    # oversubscription, which made these tests several times slower.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield load_pretrained("smollm2-135m-instruct", kind="causal")
    torch.set_num_threads(threads)


def test_llm_same_seed_same_output_independent_of_batch(smollm2):
    llm = InstructionParaphraser(smollm2, max_new_tokens=24, batch_size=2, use_cache=False)
    assert "prompt-" in llm.backend_id and llm.backend_id.startswith("llm:")
    assert llm.prompt(SHORT[0]).rstrip().endswith("assistant")
    first = llm.generate(SHORT, n_paraphrases=2, seed=0, progress=False)
    assert [len(c) for c in first] == [2, 2] and all(isinstance(s, str) and s for c in first for s in c)
    llm.batch_size = 1  # each sentence alone: same candidates
    assert llm.generate(SHORT, n_paraphrases=2, seed=0, progress=False) == first
    assert llm.generate(SHORT[:1], n_paraphrases=1, seed=0, progress=False) == [first[0][:1]]
    assert llm.generate(SHORT[:1], n_paraphrases=2, seed=1, progress=False) != [first[0]]


def test_llm_runs_pair_consistent_on_real_pairs(smollm2, crows, scorer):
    llm = InstructionParaphraser(smollm2, max_new_tokens=40, batch_size=3, use_cache=False)
    pairs = crows.iloc[[1, 9, 13]]  # short real pairs
    result = paraphrase_pairs(pairs, llm, n_paraphrases=2, seed=0, scorer=scorer, progress=False)
    # every candidate is accounted for: kept (two rows per pair) or rejected with a reason
    assert len(result.table[result.table.para_index > 0]) // 2 + len(result.rejected) == 3 * 2
    for row in to_pair_table(result.table).query("para_index > 0").itertuples():
        source = pairs.set_index("pair_id").loc[row.pair_id]
        assert is_minimal_pair_like(row.sent_more, row.sent_less, source.sent_more, source.sent_less)
    assert result.rejected.reason.notna().all()


def test_clean_reply():
    assert clean_reply('Paraphrased sentence: "Hi there."') == "Hi there."
    assert clean_reply("\n  Women can't drive.\n\nI changed the word.") == "Women can't drive."
    assert clean_reply("   ") == ""
    assert (
        clean_reply("The sentence is rephrased to: My coworker, Jamal, rarely saw his son.")
        == "My coworker, Jamal, rarely saw his son."
    )
    assert clean_reply("Here is the paraphrased sentence: Poor people lie.") == "Poor people lie."
    assert clean_reply("Here is the paraphrased sentence:\n\nPoor people lie.") == "Poor people lie."
    # a colon that belongs to the sentence stays
    assert clean_reply("Mom said: the poor are lazy.") == "Mom said: the poor are lazy."


# --- seq2seq on a tiny locally built T5 ------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_t5(tmp_path_factory):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast, T5Config, T5ForConditionalGeneration

    corpus = [s.replace(".", " .") for s in SHORT] + ["paraphrase: men drive well ."]
    tok = Tokenizer(models.WordLevel(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.decoder = decoders.WordPiece(prefix="##")
    tok.train_from_iterator(corpus, trainers.WordLevelTrainer(special_tokens=["<pad>", "</s>", "<unk>"]))
    tok.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", 1)])
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>"
    )
    torch.manual_seed(0)
    config = T5Config(
        vocab_size=len(fast),
        d_model=32,
        d_ff=64,
        d_kv=8,
        num_heads=2,
        num_layers=2,
        num_decoder_layers=2,
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
    )
    out = tmp_path_factory.mktemp("tiny_t5")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        T5ForConditionalGeneration(config).save_pretrained(out)
    fast.save_pretrained(out)
    assert len(fast) > 20
    return out


def test_seq2seq_path_runs_seeded_and_batch_independent(tiny_t5, crows, scorer):
    para = Seq2SeqParaphraser(str(tiny_t5), batch_size=2, max_new_tokens=12, use_cache=False)
    assert para.backend_id.startswith("seq2seq:tiny_t5") and "prefix=paraphrase:" in para.backend_id
    first = para.generate(SHORT, n_paraphrases=3, seed=0, progress=False)
    assert [len(c) for c in first] == [3, 3] and all(isinstance(s, str) for c in first for s in c)
    para.batch_size = 1
    assert para.generate(SHORT, n_paraphrases=3, seed=0, progress=False) == first
    assert para.generate(SHORT, n_paraphrases=3, seed=1, progress=False) != first
    pairs = crows.iloc[:2]
    result = paraphrase_pairs(pairs, para, n_paraphrases=2, seed=0, scorer=scorer, progress=False)
    assert (result.table.para_index == 0).sum() == 4
    assert (
        len(result.rejected) + (result.table.para_index > 0).sum() // 2 == 4
    )  # every candidate accounted for


def test_translation_pair_path_runs(tiny_t5):
    pair = TranslationPairParaphraser(str(tiny_t5), str(tiny_t5), max_new_tokens=12, use_cache=False)
    assert pair.backend_id.startswith("translation-pair:")
    out = pair.generate(SHORT[:1], n_paraphrases=2, seed=0, progress=False)
    assert len(out) == 1 and len(out[0]) == 2
    assert pair.generate(SHORT[:1], n_paraphrases=2, seed=0, progress=False) == out


def test_seq2seq_refuses_a_pickle_that_is_not_a_checkpoint(tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTKIT_CACHE", str(tmp_path / "cache"))
    (tmp_path / "pytorch_model.bin").write_bytes(b"not really")
    (tmp_path / "config.json").write_text('{"model_type": "t5"}')
    with pytest.raises(ValueError, match="pytorch_model.bin: refused by torch's weights-only unpickler"):
        Seq2SeqParaphraser(str(tmp_path))


def _nucleus_by_full_sort(logits, top_p):
    """The obvious reference: sort the whole vocabulary, drop a token once the mass before it reaches top_p."""
    sorted_logits, order = torch.sort(logits, descending=True, dim=-1)
    probs = sorted_logits.softmax(dim=-1)
    drop_sorted = (probs.cumsum(dim=-1) - probs) >= top_p
    return torch.zeros_like(drop_sorted).scatter(-1, order, drop_sorted)


def check_is_a_nucleus(drop, logits, top_p):
    """``drop`` is the top-p nucleus of the float64 softmax, up to fp32 noise of the masses and ranks.

    An fp32 mask may keep one token more or less than the float64 rule where the mass before a
    token is within ``tolerances.NUCLEUS_MASS_FP32`` of ``top_p``, and may swap two tokens whose
    logits are closer than the fp32 rounding of ``logit - max``; any other difference fails.
    """
    probs = logits.double().softmax(-1)
    ranked = probs.sort(descending=True, dim=-1).values
    before = ranked.cumsum(-1) - ranked  # float64 mass of the tokens ranked before
    exact_kept = (before < top_p).sum(-1)
    near = ((before - top_p).abs() <= tolerances.NUCLEUS_MASS_FP32).sum(-1)
    kept = (~drop).sum(-1)
    assert ((kept - exact_kept).abs() <= near).all(), (top_p, kept.tolist(), exact_kept.tolist())
    # the kept tokens are the most likely ones: no dropped logit above a kept one beyond rounding
    spread = (logits.max(-1).values - logits.min(-1).values).double()
    slack = 4 * torch.finfo(torch.float32).eps * (spread + 1)
    lowest_kept = logits.double().masked_fill(drop, torch.inf).min(-1).values
    highest_dropped = logits.double().masked_fill(~drop, -torch.inf).max(-1).values
    assert (highest_dropped <= lowest_kept + slack).all(), top_p
    assert (kept >= 1).all()  # the top token always stays


@pytest.mark.parametrize(
    "scale", [0.5, 3.0, 12.0]
)  # flat (k must grow) to peaked (a few tokens) distributions
def test_nucleus_mask_matches_a_full_sort(scale):
    from trustkit.paraphrase.sampling import outside_nucleus

    generator = torch.Generator().manual_seed(int(scale * 10))
    logits = torch.randn(6, 32128, generator=generator) * scale
    # Both fp32 algorithms against the float64 rule, not against each other with torch.equal: at
    # tokens whose preceding mass lies within fp32 noise of top_p either answer is right, and which
    # one comes out depends on the summation order (these seeds put a token 3e-7 from 0.9, 2e-8 from 0.999).
    for top_p in (0.05, 0.5, 0.9, 0.95, 0.999):  # the backends use 0.9 and 0.95
        check_is_a_nucleus(outside_nucleus(logits, top_p), logits, top_p)
        check_is_a_nucleus(_nucleus_by_full_sort(logits, top_p), logits, top_p)
