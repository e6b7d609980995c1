"""Every cross-path numeric tolerance of the test suite, with where each number comes from.

A tolerance bounds the difference of two computations of one quantity. fp32 sums differ across
CPUs (AVX-512, AVX2 and the portable kernels), thread counts and batch shapes, so each number is a
safety factor over the worst difference measured with ``ATEN_CPU_CAPABILITY=default``, ``avx2``
and the native AVX-512 kernels, with 1 and 2 threads (the script in each line's note), or the
comparison is made in float64 on a float64 copy of the model, where paths agree to ~1e-14.
"""

# Two float64 computations of the same log-probabilities on a float64 copy of SmolLM2-135M-Instruct
# (one forward over the whole sequence vs one forward per prefix, lm-eval's encoding vs the policy's).
# Measured: 3.1e-14 nats (default, avx2, avx512; 1 and 2 threads). Bound: ~3e4 x that, and still
# 700 000 x below the effect the chat-template test checks (the newline's 7.1e-4 nats).
FLOAT64_PATHS = 1e-9

# trustkit's causal scorer (fp32 log-softmax, per-token log-probs kept in fp32) against the float64
# reference of the same sentence, per sentence of up to 13 tokens, SmolLM2-135M-Instruct (49k vocab,
# logits up to ~100 where an fp32 step is 7.6e-6). Measured worst: 1.88e-4 nats (ATEN default,
# 1 thread; 1.6e-4 with the fp32 model, 9e-5 with AVX-512); the failing AMD machine of issue 21
# showed 1.84e-4 for the same comparison. Bound: 2.5 x the worst.
SCORER_FP32_VS_FLOAT64 = 5e-4

# The fast scorers against tests/reference_scorer.py (one forward per masked position or prefix,
# fp32) on the tiny random models: nats per sentence (test_scoring_engine, test_scoring_policy,
# test_french_crows, test_winobias_pairs; twice this for a difference of two sentences in
# test_compat_modes). Measured worst (default/avx2/avx512, 1|2 threads): 7.1|6.6e-5, 4.9|5.2e-5,
# 3.8|3.6e-5 (French CrowS pairs vs metric.py). Bound: 3.5 x the worst.
ENGINE_VS_REFERENCE = 2.5e-4

# One fp32 scorer, the same sentences, other batches: PLL rows batched vs one sentence at a time
# and across batch budgets (test_scoring_engine), the shares of two ranks (test_scoring_distributed),
# a run resumed from its cache (test_scoring_cache), halved batches after an out-of-memory error
# (test_scoring_memory), the bf16 guard's fp32 re-scores (test_scoring_precision; 2x for a delta).
# Measured worst (default/avx2/avx512, 1|2 threads): 1.0|2.4e-5, 0.95|1.8e-5, 1.4|1.8e-5 (PLL batched vs
# alone). Bound: 4.2 x the worst.
BATCH_SHAPES = 1e-4

# One fp32 model, the same sentence and batches, its identical weights read from two safetensors
# files (a pickle's conversion and the original; other offsets, so other memory alignment, which
# some CPUs' matmul kernels follow): test_scoring_load. Measured: 0 here (default/avx2/avx512, 1|2
# threads), 9.5e-7 nats on a 41.3-nat sentence on the CI machine of a later run. Bound: ~10 x that.
SAME_WEIGHTS_OTHER_BUFFERS = 1e-5

# The same for one forward per sentence (AUL/AULA sentences padded into one batch vs alone,
# test_scoring_engine) and for the LM head applied in chunks of rows (test_scoring_batches).
# Measured worst (default/avx2/avx512, 1|2 threads): 5.3e-7|1.6e-6, 4.1e-7|1.2e-6, 2.7e-7|1.2e-6
# (AULA batched vs alone). Bound: 3.2 x the worst.
BATCH_SHAPES_ONE_FORWARD = 5e-6

# trustkit.scoring.last_layer (the last encoder layer run at the scored positions only) against the
# full forward, hidden states of |x| <= 2.7, tiny BERT/RoBERTa/ALBERT/DistilBERT, sdpa and eager,
# padded and unpadded (test_scoring_last_layer). Measured worst
# (default/avx2/avx512, 1|2 threads): 5.5|1.4e-6, 1.9|1.5e-6, 3.2|2.4e-6. Bound: 3.6 x the worst.
LAST_LAYER_VS_FULL = 2e-5

# A geometric-mean sentence probability, exp(mean log p), from the batched fp32 scorer against one
# forward per prefix (test_compat_modes' biasbench mode, test_stereoset_original's causal score):
# relative. Measured worst (default/avx2/avx512, 1|2 threads): 2.2|2.1e-6, 2.3|2.3e-6, 1.6|1.6e-6.
# Bound: 4.3 x the worst.
GEOMETRIC_MEAN_PROB_REL = 1e-5

# StereoSet's blank-word probability (mean over the word's pieces) from the batched masked scorer
# against one forward per piece with a float64 softmax (test_stereoset_original): relative.
# Measured worst (default/avx2/avx512, 1|2 threads): 3.2|3.4e-6, 3.0|4.0e-6, 2.6|5.9e-6. Bound: 17 x the
# worst (kept from before; still 170 x below a 10% error).
BLANK_WORD_PROB_REL = 1e-4

# SmolLM2-135M-Instruct (the offline bundle), fp32: a sentence scored in a ragged batch against one
# forward of that sentence alone with a float64 log-softmax, and per token against the reference
# (test_scoring_engine's slow test; 30 layers amplify fp32 rounding). Measured worst
# (default/avx2/avx512, 1 and 2 threads alike): 2.4e-4, 2.5e-4, 1.2e-4 per sentence; 2.5e-5, 2.8e-5,
# 2.0e-5 per token. Bounds: 4.0 x and 3.6 x the worst.
SMOLLM_BATCHED_VS_ALONE = 1e-3
SMOLLM_TOKEN_VS_REFERENCE = 1e-4

# The probability mass before a token, summed in fp32 (trustkit.paraphrase.sampling.outside_nucleus's
# top-k cumsum, and the full-sort reference of test_paraphrase_backends) against the same sum in
# float64, on the test's 6 x 32128 random logits (scales 0.5, 3, 12). Measured worst: 4.3e-6 (ATEN
# default and avx2, full sort, scale 3; top-k 2.8e-6), 1.7e-6 with AVX-512; 1 and 2 threads alike.
# Bound: 4.6 x the worst.
NUCLEUS_MASS_FP32 = 2e-5
