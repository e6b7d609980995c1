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
# fp32) on the tiny random models and the offline bundles: nats per sentence. Checked to hold under
# ATEN default, avx2 and avx512 with 1 thread (test_scoring_engine, test_scoring_policy,
# test_french_crows, test_scoring_distributed, test_winobias_pairs, test_scoring_memory).
ENGINE_VS_REFERENCE = 1e-4

# The probability mass before a token, summed in fp32 (trustkit.paraphrase.sampling.outside_nucleus's
# top-k cumsum, and the full-sort reference of test_paraphrase_backends) against the same sum in
# float64, on the test's 6 x 32128 random logits (scales 0.5, 3, 12). Measured worst: 4.3e-6 (ATEN
# default and avx2, full sort, scale 3; top-k 2.8e-6), 1.7e-6 with AVX-512; 1 and 2 threads alike.
# Bound: 4.6 x the worst.
NUCLEUS_MASS_FP32 = 2e-5
