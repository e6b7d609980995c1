"""Slow, obvious reference scores: one sentence, one masked position, one full forward at a time.

Written for readability, not speed: the fast engine must agree with these to
tolerances.ENGINE_VS_REFERENCE nats per sentence.
"""

from __future__ import annotations

import difflib

import torch


def _logits(model, ids: list[int], **kw):
    with torch.no_grad():
        return model(torch.tensor([ids]), **kw)


def _log_prob_at(model, ids: list[int], position: int, target: int) -> float:
    logits = _logits(model, ids).logits[0, position]
    return torch.log_softmax(logits.double(), dim=-1)[target].item()


def _non_special(tokenizer, ids: list[int]) -> list[int]:
    special = set(tokenizer.all_special_ids)
    return [p for p, t in enumerate(ids) if t not in special]


def pll(model, tokenizer, sentence: str, word_l2r: bool = False) -> float:
    """Sum over tokens of log P(token | sentence with it masked); word-l2r also masks the word's later pieces."""
    enc = tokenizer(sentence)
    ids, words = enc["input_ids"], enc.word_ids()
    total = 0.0
    for p in _non_special(tokenizer, ids):
        masked = list(ids)
        masked[p] = tokenizer.mask_token_id
        if word_l2r:
            for q in range(p + 1, len(ids)):
                if words[q] is not None and words[q] == words[p]:
                    masked[q] = tokenizer.mask_token_id
        total += _log_prob_at(model, masked, p, ids[p])
    return total


def aul(model, tokenizer, sentence: str, attention: bool = False) -> float:
    """Mean log P of the unmasked tokens (without the first and last token); AULA weights by attention."""
    ids = tokenizer(sentence)["input_ids"]
    previous = model.config._attn_implementation
    model.set_attn_implementation("eager")
    try:
        out = _logits(model, ids, output_attentions=True)
    finally:
        model.set_attn_implementation(previous)
    log_probs = torch.log_softmax(out.logits[0].double(), dim=-1)
    values = [log_probs[p, ids[p]].item() for p in range(1, len(ids) - 1)]
    if attention:
        per_layer = torch.cat(out.attentions, dim=0).double()  # layers × heads × query × key
        received = per_layer.mean(dim=0).mean(dim=0).mean(dim=0)  # over layers, heads, queries
        values = [v * received[p].item() for v, p in zip(values, range(1, len(ids) - 1))]
    return sum(values) / len(values)


def crows_metric_py(model, tokenizer, sent1: str, sent2: str, uncased: bool) -> tuple[float, float]:
    """nyu-mll metric.py's mask_unigram, re-expressed: shared tokens masked one at a time, summed."""
    if uncased:
        sent1, sent2 = sent1.lower(), sent2.lower()
    ids1, ids2 = tokenizer.encode(sent1), tokenizer.encode(sent2)
    matcher = difflib.SequenceMatcher(None, [str(x) for x in ids1], [str(x) for x in ids2])
    template1, template2 = [], []
    for op in matcher.get_opcodes():
        if op[0] == "equal":
            template1 += list(range(op[1], op[2]))
            template2 += list(range(op[3], op[4]))
    score1 = score2 = 0.0
    for i in range(1, len(template1) - 1):
        for ids, template, which in ((ids1, template1, 1), (ids2, template2, 2)):
            masked = list(ids)
            masked[template[i]] = tokenizer.mask_token_id
            value = _log_prob_at(model, masked, template[i], ids[template[i]])
            if which == 1:
                score1 += value
            else:
                score2 += value
    return score1, score2


def causal_token_log_probs(model, tokenizer, sentence: str) -> list[float]:
    """log P(token_t | prefix, tokens before t) for every token, one forward per token."""
    prefix = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.eos_token_id
    ids = [prefix] + tokenizer(sentence, add_special_tokens=False)["input_ids"]
    values = []
    for t in range(1, len(ids)):
        logits = _logits(model, ids[:t]).logits[0, -1]
        values.append(torch.log_softmax(logits.double(), dim=-1)[ids[t]].item())
    return values


def causal_ll(model, tokenizer, sentence: str) -> float:
    """Exact sentence log-likelihood given one prefix token."""
    return sum(causal_token_log_probs(model, tokenizer, sentence))


def causal_ll_shared(model, tokenizer, sent1: str, sent2: str) -> tuple[float, float]:
    """Sum of the causal log-probs of the tokens the two sentences share (difflib over ids)."""
    ids1 = tokenizer(sent1, add_special_tokens=False)["input_ids"]
    ids2 = tokenizer(sent2, add_special_tokens=False)["input_ids"]
    lp1 = causal_token_log_probs(model, tokenizer, sent1)
    lp2 = causal_token_log_probs(model, tokenizer, sent2)
    matcher = difflib.SequenceMatcher(None, [str(x) for x in ids1], [str(x) for x in ids2])
    s1 = s2 = 0.0
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            s1 += sum(lp1[a0:a1])
            s2 += sum(lp2[b0:b1])
    return s1, s2


# --- tiny locally built models (random weights: explicitly controls, never a real model) --------

SENTENCES = [
    "The hometown of Schwarzenegger is unbelievably far.",
    "Nurses aren't always women.",
    "He is strong.",
    "A carpenter repaired the old wooden staircase yesterday.",
]


def tiny_masked_lm(arch: str, seed: int = 0):
    """A 2-layer masked LM of a real architecture over BERT uncased's WordPiece vocabulary.

    ``initializer_range`` is large so that predictions are peaked and masking mistakes show up.
    """
    import transformers as tf

    from trustkit.models import bert_uncased_tokenizer

    tokenizer = bert_uncased_tokenizer()
    common = dict(vocab_size=len(tokenizer), pad_token_id=tokenizer.pad_token_id, initializer_range=0.5)
    configs = {
        "bert": lambda: tf.BertForMaskedLM(
            tf.BertConfig(
                hidden_size=32,
                num_hidden_layers=2,
                num_attention_heads=2,
                intermediate_size=37,
                max_position_embeddings=64,
                **common,
            )
        ),
        "roberta": lambda: tf.RobertaForMaskedLM(
            tf.RobertaConfig(
                hidden_size=32,
                num_hidden_layers=2,
                num_attention_heads=2,
                intermediate_size=37,
                max_position_embeddings=66,
                type_vocab_size=1,
                **common,
            )
        ),
        "albert": lambda: tf.AlbertForMaskedLM(
            tf.AlbertConfig(
                embedding_size=16,
                hidden_size=32,
                num_hidden_layers=2,
                num_attention_heads=2,
                intermediate_size=37,
                max_position_embeddings=64,
                hidden_dropout_prob=0.0,
                attention_probs_dropout_prob=0.0,
                **common,
            )
        ),
        "distilbert": lambda: tf.DistilBertForMaskedLM(
            tf.DistilBertConfig(
                dim=32, n_layers=2, n_heads=2, hidden_dim=37, max_position_embeddings=64, **common
            )
        ),
    }
    torch.manual_seed(seed)
    return configs[arch]().eval(), tokenizer


def tiny_causal_lm(arch: str = "gpt2", bos: bool = True, seed: int = 0):
    """A 2-layer decoder (GPT-2 or Llama) with a WordPiece tokenizer that has BOS (or only EOS)."""
    import copy

    import transformers as tf

    from trustkit.models import bert_uncased_tokenizer

    base = bert_uncased_tokenizer()
    special = dict(eos_token="[SEP]", pad_token="[PAD]", unk_token="[UNK]")
    if bos:
        special["bos_token"] = "[CLS]"
    tokenizer = tf.PreTrainedTokenizerFast(tokenizer_object=copy.deepcopy(base.backend_tokenizer), **special)
    torch.manual_seed(seed)
    if arch == "gpt2":
        config = tf.GPT2Config(
            vocab_size=len(base), n_embd=32, n_layer=2, n_head=2, n_positions=64, initializer_range=0.5
        )
        model = tf.GPT2LMHeadModel(config)
    else:
        config = tf.LlamaConfig(
            vocab_size=len(base),
            hidden_size=32,
            intermediate_size=37,
            num_hidden_layers=2,
            num_attention_heads=2,
            num_key_value_heads=1,
            max_position_embeddings=64,
            initializer_range=0.5,
        )
        model = tf.LlamaForCausalLM(config)
    return model.eval(), tokenizer
