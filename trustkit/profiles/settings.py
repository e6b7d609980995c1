"""The profiles' parameter tables: every notebook's lab defaults and what each profile changes.

Data only; :mod:`trustkit.profiles` merges and checks them (``profile_parameters``).
"""

from __future__ import annotations

PROFILE_NAMES = ("smoke", "lab", "offline", "paper")

PROFILE_DESCRIPTIONS = {
    "smoke": "tests and CI: tiny locally-built models, a few pairs; seconds per notebook",
    "lab": "the notebooks' own defaults: real offline models on small subsets; minutes on a laptop CPU",
    "offline": "what `make reproduce` runs: full CrowS-Pairs (original and 2022 revision), real offline models",
    "paper": "the paper's masked LMs and a hub paraphraser; needs the Hugging Face hub (a GPU helps)",
}

# The hub models the paper profile needs (checked before anything runs).
PAPER_HUB_MODELS = ("bert-base-uncased", "roberta-large", "albert/albert-xxlarge-v2")
PAPER_HUB_PARAPHRASER = "prithivida/parrot_paraphraser_on_T5"

# Every notebook, in run order, with the figures it must write (file names under figures/<profile>/).
NOTEBOOK_FIGURES: dict[str, tuple[str, ...]] = {
    "01_data": ("01_data_categories.png", "01_data_pair_differences.png", "01_data_revisions.png"),
    "02_scoring": ("02_scoring_ll_differences.png", "02_scoring_metric_variants.png"),
    "03_paraphrase": ("03_paraphrase_similarity.png", "03_paraphrase_outcomes.png"),
    "04_sensitivity_thresholding": (
        "04_sensitivity_original_vs_paraphrase.png",
        "04_thresholding_delta_tau.png",
        "04_thresholding_curve.png",
    ),
    "05_landscape": (
        "05_landscape_network_map.png",
        "05_landscape_top_words.png",
        "05_landscape_trustworthy_share.png",
        "05_landscape_trustnlp_placement.png",
    ),
    "06_explore_and_report": ("06_explore_and_report_categories.png",),
    "07_deployment_choices": (
        "07_deployment_choices_bias_vs_utility.png",
        "07_deployment_choices_flips_by_delta.png",
        "07_deployment_choices_categories.png",
    ),
}

# Parameters per profile and notebook. Only what differs from the notebook's own defaults (the
# lab profile) needs to be listed for the other profiles; `profile_parameters` merges them.
_OUT = {"profile": "lab", "figures_dir": "../build/lab/figures"}
# Parameters that count pairs: --max-pairs caps each of them (None, "every pair", included).
PAIR_PARAMETERS = ("n_pairs", "control_n_pairs", "variants_n_pairs", "stereoset_n_examples")
_VERSIONS = ["crows_pairs", "crows_pairs_revised", "crows_pairs_pikuliak"]
# Notebook 02 also scores the French CrowS-Pairs (Névéol et al. 2022) beside the English versions.
_WITH_FRENCH = _VERSIONS[:2] + ["crows_pairs_revised_fr"]
_LAB: dict[str, dict] = {
    "01_data": {**_OUT, "versions": _VERSIONS, "n_examples": 1, "seed": 0},
    "02_scoring": {
        **_OUT,
        "datasets": _VERSIONS[:2],
        "n_pairs": 40,
        "models": ["smollm2-135m-instruct"],
        "control": "bert-base",
        "control_n_pairs": 6,
        "variants_n_pairs": 6,
        "stereoset_n_examples": 12,
        "n_resamples": 1000,
        "seed": 0,
        "device": "cpu",
    },
    "03_paraphrase": {
        **_OUT,
        "dataset": "crows_pairs",
        "n_pairs": 12,
        "backends": ["backtranslation"],
        "n_paraphrases": 3,
        "min_similarity": 0.75,
        "mode": "consistent",
        "n_examples": 4,
        "seed": 0,
    },
    "04_sensitivity_thresholding": {
        **_OUT,
        "dataset": "crows_pairs",
        "n_pairs": 12,
        "backend": "backtranslation",
        "n_paraphrases": 3,
        "min_similarity": 0.75,
        "models": ["smollm2-135m-instruct"],
        "control": "bert-base",
        "control_n_pairs": 4,
        "tau_estimator": "abs_change",
        "quantile": 0.5,
        "n_resamples": 1000,
        "icc_n_resamples": 20,
        "alpha": 0.05,
        "seed": 0,
        "device": "cpu",
    },
    # trustkit.landscape.landscape_params reads its profiles from here (the one place they live).
    "05_landscape": {
        **_OUT,
        "years": [2019, 2024],
        "max_papers": 15000,
        "phrase_min_count": 10,
        "min_df": 10,
        "min_cooccurrence": 5,
        "min_npmi": 0.2,
        "resolution": 1.0,
        "stability_seeds": 5,
        "n_resamples": 1000,
        "seed": 0,
    },
    "06_explore_and_report": {
        **_OUT,
        "report_dir": "../build/lab",
        "models": ["smollm2-135m-instruct"],
        "control": "",
        "dataset": "crows_pairs",
        "n_pairs": 40,
        "backend": "backtranslation",
        "n_paraphrases": 3,
        "n_resamples": 1000,
        "icc_n_resamples": 20,
        "seed": 0,
        "device": "cpu",
    },
    "07_deployment_choices": {
        **_OUT,
        "dataset": "crows_pairs",
        "models": ["smollm2-135m-instruct"],
        "precisions": ["fp32", "bf16", "fp16", "int8"],
        "control": "bert-base",
        "control_precisions": ["fp32", "bf16"],
        "n_pairs": 40,
        "control_n_pairs": 10,
        "n_texts": 5,
        "control_n_texts": 1,
        "n_resamples": 1000,
        "seed": 0,
        "device": "cpu",
    },
}
_LANDSCAPE_FULL = {
    "years": [2016, 2024],
    "max_papers": None,
    "phrase_min_count": 20,
    "min_df": 20,
    "min_cooccurrence": 10,
    "stability_seeds": 10,
    "n_resamples": 2000,
}
_OVERRIDES: dict[str, dict[str, dict]] = {
    "smoke": {
        "02_scoring": {
            "datasets": _WITH_FRENCH,
            "n_pairs": 6,
            "models": [],
            "control": "bert-tiny",
            "variants_n_pairs": 6,
            "stereoset_n_examples": 6,
            "n_resamples": 200,
        },
        "03_paraphrase": {"n_pairs": 4, "n_paraphrases": 2},
        "04_sensitivity_thresholding": {
            "n_pairs": 6,
            "n_paraphrases": 2,
            "models": [],
            "control": "bert-tiny",
            "control_n_pairs": None,
            "n_resamples": 200,
            "icc_n_resamples": 5,
        },
        "05_landscape": {
            "years": [2021, 2023],
            "max_papers": 2500,
            "phrase_min_count": 5,
            "min_df": 5,
            "min_cooccurrence": 3,
            "stability_seeds": 3,
            "n_resamples": 200,
        },
        "06_explore_and_report": {
            "report_dir": "../build/smoke",
            "models": [],
            "control": "bert-tiny",
            "n_pairs": 6,
            "n_paraphrases": 2,
            "n_resamples": 200,
            "icc_n_resamples": 5,
        },
        "07_deployment_choices": {
            "models": [],
            "control": "bert-tiny",
            "control_precisions": ["fp32", "bf16", "fp16", "int8"],
            "control_n_pairs": 20,
            "control_n_texts": 2,
            "n_resamples": 200,
        },
    },
    "lab": {},
    "offline": {
        "01_data": {"n_examples": 2},
        "02_scoring": {
            "datasets": _WITH_FRENCH,
            "n_pairs": None,
            "control_n_pairs": 150,
            "variants_n_pairs": 100,
            "stereoset_n_examples": 300,
            "n_resamples": 2000,
        },
        # The instruction LM generates ~10 s per pair on 2 cores: 20 pairs show its behaviour.
        "03_paraphrase": {
            "n_pairs": 20,
            "backends": ["backtranslation", "llm:smollm2-135m-instruct"],
            "n_paraphrases": 5,
            "n_examples": 6,
        },
        # Back-translation costs ~1.5 s per pair for 5 candidates: 300 random pairs fit the hour.
        "04_sensitivity_thresholding": {
            "n_pairs": 300,
            "n_paraphrases": 5,
            "control_n_pairs": 60,
            "n_resamples": 2000,
            "icc_n_resamples": 100,
        },
        "05_landscape": _LANDSCAPE_FULL,
        # The README's report card: SmolLM2 on the first 100 CrowS-Pairs pairs, 3 back-translations each.
        "06_explore_and_report": {"report_dir": "../build/offline", "n_pairs": 100, "icc_n_resamples": 100},
        # SmolLM2 in four precisions on every CrowS-Pairs pair (1,508); the random BERT-base
        # control (masked PLL: a forward pass per token) on 20 seeded pairs, fp32 vs bf16.
        "07_deployment_choices": {
            "n_pairs": None,
            "control_n_pairs": 20,
            "n_texts": 5,
            "control_n_texts": 1,
            "n_resamples": 2000,
        },
    },
    "paper": {
        "01_data": {"n_examples": 2},
        # The random-weights BERT-base control runs on a subset, as in the offline profile.
        "02_scoring": {
            "datasets": _WITH_FRENCH,
            "n_pairs": None,
            "models": list(PAPER_HUB_MODELS),
            "control_n_pairs": 150,
            "variants_n_pairs": 300,
            "stereoset_n_examples": None,
            "n_resamples": 2000,
            "device": "auto",
        },
        "03_paraphrase": {
            "n_pairs": 200,
            "backends": [f"seq2seq:{PAPER_HUB_PARAPHRASER}", "backtranslation"],
            "n_paraphrases": 5,
            "n_examples": 6,
        },
        "04_sensitivity_thresholding": {
            "n_pairs": None,
            "backend": f"seq2seq:{PAPER_HUB_PARAPHRASER}",
            "n_paraphrases": 5,
            "models": list(PAPER_HUB_MODELS),
            "control_n_pairs": 60,
            "n_resamples": 2000,
            "icc_n_resamples": 100,
            "device": "auto",
        },
        "05_landscape": _LANDSCAPE_FULL,
        "06_explore_and_report": {
            "report_dir": "../build/paper",
            "models": list(PAPER_HUB_MODELS),
            "n_pairs": None,
            "backend": f"seq2seq:{PAPER_HUB_PARAPHRASER}",
            "n_paraphrases": 5,
            "icc_n_resamples": 100,
            "device": "auto",
        },
        # int8 dynamic quantization runs on CPU only, so this notebook stays on CPU: 300 pairs.
        "07_deployment_choices": {
            "models": list(PAPER_HUB_MODELS),
            "precisions": ["fp32", "fp16", "int8"],
            "n_pairs": 300,
            "control_n_pairs": 60,
            "n_texts": 50,
            "control_n_texts": 5,
            "n_resamples": 2000,
        },
    },
}
