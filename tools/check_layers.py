"""Check that trustkit's packages import one another downward only (``make lint`` runs this).

Every module of ``trustkit/`` is parsed with :mod:`ast`; every import counts, those inside
functions too (a lazy import is still a dependency). Each top-level module or package of
``trustkit`` belongs to one layer of :data:`LAYERS`; a module may import its own package and any
lower layer, never a higher one nor another package of its own layer. A cycle between packages is
therefore impossible once the check passes. Run ``python tools/check_layers.py [ROOT]``; it prints
one ``FILE:LINE`` message per violation and exits 1 when there is any.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

#: lowest first; a package may import only packages of strictly lower layers (and itself).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "deprecation", "paths", "summary", "examples"),  # no trustkit imports
    ("text", "fileio"),  # text helpers; atomic writes, hashes
    ("profiles",),  # parameter sets shared by the CLI and the notebooks
    ("data",),  # dataset registry and loaders
    ("provenance",),  # figure records and the one figure writer
    ("models",),  # loading weights, recording what was loaded
    ("manifest",),  # figures/<profile>/MANIFEST.json
    ("scoring",),  # scorers, the metric registry that runs them, batching, cache
    ("tables",),  # the scored-table schema and the tie rule every reader shares
    ("metrics",),  # CrowS / StereoSet / WinoBias aggregates, metric cards
    ("stats",),  # bias score with CI, tests, thresholds, sensitivity
    ("plots",),  # figures, one house style
    ("paraphrase",),  # paraphrase backends, filters, pipeline
    ("landscape",),  # the keynote's research-landscape study
    ("report", "study", "explorer"),  # the user-facing studies; they never import each other
    ("reproduce", "pair_audit", "preflight"),  # runs the notebooks; two old module aliases
    ("cli",),  # one module per sub-command
    ("__init__", "__main__"),  # the package's entry points
)

RANK = {name: n for n, names in enumerate(LAYERS) for name in names}


def unit_of(module: str) -> str | None:
    """The top-level unit (``scoring`` for ``trustkit.scoring.engine``) of a trustkit module name."""
    parts = module.split(".")
    if parts[0] != "trustkit":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def module_name(path: Path, root: Path) -> str:
    """Dotted module name of ``path`` under ``root`` (the folder that holds ``trustkit/``)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
        return ".".join(parts) if len(parts) > 1 else "trustkit"
    return ".".join(parts)


def imported_modules(tree: ast.AST, module: str, is_package: bool):
    """``(line, dotted name)`` of every import in ``tree``, relative imports resolved."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target != "trustkit":
                yield node.lineno, target
                continue
            for alias in node.names:  # ``from trustkit import scoring`` imports trustkit.scoring
                if alias.name == "__version__":
                    continue  # set before anything else in trustkit/__init__.py: metadata, no layer
                yield node.lineno, f"trustkit.{alias.name}"


def violations(root: Path) -> list[str]:
    """Every upward or sideways import under ``root/trustkit``, as ``FILE:LINE: message``."""
    problems = []
    for path in sorted((root / "trustkit").rglob("*.py")):
        module = module_name(path, root)
        unit = unit_of(module)
        where = path.relative_to(root)
        if unit not in RANK:
            problems.append(
                f"{where}:1: trustkit.{unit} has no layer; add it to LAYERS in tools/check_layers.py"
            )
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, target in imported_modules(tree, module, path.name == "__init__.py"):
            other = unit_of(target)
            if other is None or other == unit:
                continue
            if other not in RANK:
                problems.append(f"{where}:{line}: {target} is no module of a layer of trustkit")
                continue
            if RANK[other] > RANK[unit]:
                problems.append(
                    f"{where}:{line}: upward import: trustkit.{unit} (layer {RANK[unit]}) imports "
                    f"{target} (trustkit.{other}, layer {RANK[other]})"
                )
            elif RANK[other] == RANK[unit]:
                problems.append(
                    f"{where}:{line}: sideways import: trustkit.{unit} and trustkit.{other} share "
                    f"layer {RANK[unit]} and may not import each other ({target})"
                )
    return problems


def main(argv: list[str]) -> int:
    """Print every violation; 1 when there is any, else 0."""
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[1]
    problems = violations(root)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} import(s) break trustkit's layers (see CONTRIBUTING.md, House tour)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
