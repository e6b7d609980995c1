"""The layer check of ``make lint``: trustkit's packages import downward only, lazy imports included."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECK = ROOT / "tools" / "check_layers.py"


def _copy_package(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "trustkit", tmp_path / "trustkit", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def _run(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CHECK), str(root)], capture_output=True, text=True)


def test_the_package_as_it_is_passes():
    result = _run(ROOT)
    assert result.returncode == 0, result.stdout


def test_a_planted_lazy_upward_import_fails_with_file_and_line(tmp_path):
    root = _copy_package(tmp_path)
    target = root / "trustkit" / "scoring" / "cache.py"
    lines = target.read_text(encoding="utf-8").splitlines()
    lines += [
        "",
        "",
        "def _planted():",
        "    from trustkit.stats import bootstrap_ci",
        "",
        "    return bootstrap_ci",
    ]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _run(root)
    assert result.returncode == 1
    line = len(lines) - 2
    assert f"trustkit/scoring/cache.py:{line}: upward import: trustkit.scoring" in result.stdout
    assert "trustkit.stats" in result.stdout


def test_relative_and_package_imports_are_resolved(tmp_path):
    root = _copy_package(tmp_path)
    (root / "trustkit" / "data" / "planted.py").write_text("from .. import report\n", encoding="utf-8")
    (root / "trustkit" / "report" / "planted.py").write_text("from trustkit import study\n", encoding="utf-8")
    result = _run(root)
    assert result.returncode == 1
    assert "trustkit/data/planted.py:1: upward import" in result.stdout
    assert "trustkit/report/planted.py:1: sideways import" in result.stdout


def test_a_module_without_a_layer_is_named(tmp_path):
    root = _copy_package(tmp_path)
    (root / "trustkit" / "newthing.py").write_text('"""x"""\n', encoding="utf-8")
    result = _run(root)
    assert result.returncode == 1
    assert "trustkit/newthing.py:1: trustkit.newthing has no layer" in result.stdout
