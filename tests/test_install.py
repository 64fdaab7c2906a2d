"""An installed ldpub works away from the checkout: the wheel, and `pip install` of a copy of the tree.

Each install goes into a fresh virtual environment without system site packages; the
package is installed with --no-deps and the dependencies come from this interpreter's
site-packages through a .pth file, so no network is needed and `ld` itself can come only
from what was installed. ldpub then ingests the samples it ships, validates one, and
serves them from a working directory outside the checkout.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
import requests
from rdflib import Graph

from .servers import free_port, status, wait_until

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
# Left out of the copy: what a clean clone does not have (and what is large).
NOT_COPIED = {".venv", ".git", "bench/out", "data", "build", "dist", ".pytest_cache", ".ruff_cache", ".hypothesis"}


def package_files(root: Path) -> set[str]:
    """What the wheel must hold: every module of ld and the data it reads at run time."""
    data = ["shapes/*.ttl", "data/vocabulary.ttl", "data/*.tsv", "data/samples/*", "web/templates/*", "web/*.js"]
    files = {p for pattern in data for p in (root / "ld").glob(pattern) if p.is_file()}
    files |= {p for p in (root / "ld").rglob("*.py") if "__pycache__" not in p.parts}
    return {"ld/" + p.relative_to(root / "ld").as_posix() for p in files}


def ignore_for_copy(directory: str, names: list[str]) -> set[str]:
    relative = Path(directory).relative_to(ROOT)
    left_out = {n for n in names if (relative / n).as_posix() in NOT_COPIED}
    return left_out | {n for n in names if n == "__pycache__" or n.endswith(".egg-info")}


def pip(*args: str, build: Path) -> None:
    """This interpreter's pip, offline, with setuptools' build and egg-info directories in build
    (not in the source tree, whose build/lib may hold stale modules that would be shipped)."""
    build.mkdir(parents=True, exist_ok=True)
    config = build / "setuptools.cfg"
    config.write_text(f"[build]\nbuild_base = {build / 'build'}\n[egg_info]\negg_base = {build}\n", "utf-8")
    env = {**os.environ, "DIST_EXTRA_CONFIG": str(config), "PIP_NO_INDEX": "1"}
    command = [sys.executable, "-m", "pip", *args, "--no-deps", "--no-build-isolation", "--quiet"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def build_wheel(source: Path, tmp_path: Path, name: str) -> Path:
    pip("wheel", "-w", str(tmp_path / name), str(source), build=tmp_path / f"{name}-build")
    (wheel,) = (tmp_path / name).glob("ldpub-*.whl")
    return wheel


def fresh_venv(path: Path) -> Path:
    """A virtual environment without system site packages; this interpreter's site-packages
    appended to its path by a .pth file (dependencies only: that directory's own .pth files,
    such as the editable install of the checkout, are not processed)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True, timeout=60)
    python = path / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    Path(site, "ldpub-test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", "utf-8")
    return python


def clean_env() -> dict[str, str]:
    drop = ("LDPUB_", "PYTHON", "VIRTUAL_ENV")
    return {k: v for k, v in os.environ.items() if not k.startswith(drop)}


def copy_of_the_tree(tmp_path: Path) -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(ROOT, copy, symlinks=True, ignore=ignore_for_copy)
    assert (copy / "ld" / "shapes").is_symlink() and not (copy / ".venv").exists()
    return copy


def test_wheels_from_the_checkout_and_from_a_copy_hold_every_module_and_the_data(tmp_path: Path) -> None:
    """Shapes (through the ld/shapes symlink), vocabulary, tables, samples and templates are in
    the wheel, and no module the tree does not have."""
    for name, source in (("checkout", ROOT), ("copy", copy_of_the_tree(tmp_path))):
        wheel = build_wheel(source, tmp_path, name)
        names = set(zipfile.ZipFile(wheel).namelist())
        assert {n for n in names if n.startswith("ld/")} == package_files(ROOT), name
        entry_points = zipfile.ZipFile(wheel).read(f"{wheel.name.split('-py3')[0]}.dist-info/entry_points.txt")
        assert b"ldpub = ld.__main__:main" in entry_points


@pytest.mark.parametrize("how", ["wheel", "source copy"])
def test_installed_ldpub_ingests_validates_and_serves(how: str, tmp_path: Path) -> None:
    """`pip install WHEEL` (built from the checkout) or `pip install COPY` (a copy of the tree)."""
    target = build_wheel(ROOT, tmp_path, "wheel") if how == "wheel" else copy_of_the_tree(tmp_path)
    python = fresh_venv(tmp_path / "venv")
    pip("--python", str(python), "install", str(target), build=tmp_path / "install-build")

    work = tmp_path / "work"  # not the checkout: nothing may be found relative to it
    work.mkdir()
    env = clean_env()

    def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(args, cwd=work, env=env, capture_output=True, text=True, timeout=timeout)

    where = run(str(python), "-c", "import ld; print(ld.__file__)")
    assert where.returncode == 0, where.stderr
    package = Path(where.stdout.strip()).parent
    assert package.is_relative_to(tmp_path / "venv") and not package.is_relative_to(ROOT), package
    installed = {"ld/" + p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file()}
    assert package_files(ROOT) <= installed

    ldpub = str(python.parent / "ldpub")
    samples = sorted(str(p) for p in (package / "data" / "samples").iterdir())
    assert len(samples) == 2
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    ingest = run(ldpub, "ingest", "--store", "store", "--base", base, "--no-progress", *samples)
    assert ingest.returncode in (0, 1), ingest.stdout + ingest.stderr
    published = re.search(r"^published:\s+(\d+)", ingest.stdout, re.MULTILINE)
    assert published and int(published.group(1)) > 0 and "counts reconcile" in ingest.stdout, (
        ingest.stdout + ingest.stderr
    )

    csv_sample = next(s for s in samples if s.endswith(".csv"))
    validate = run(ldpub, "validate", csv_sample)
    assert validate.returncode == 0, validate.stdout + validate.stderr
    assert "1 records, 0 unreadable, 0 violations" in validate.stderr

    log = tmp_path / "serve.log"
    with log.open("wb") as stream:
        server = subprocess.Popen([ldpub, "serve", "--store", "store", "--base", base, "--port", str(port),
                                   "--workers", "1"], cwd=work, env=env, stdout=stream, stderr=stream)  # fmt: skip
    try:
        turtle_url = f"{base}doc/thesis/uk.bl.ethos.232781.ttl"
        started = wait_until(lambda: status(turtle_url) == 200 or server.poll() is not None, 30)
        assert started and server.poll() is None, "server did not start"
        record = requests.get(turtle_url, timeout=10)
        assert record.status_code == 200 and record.headers["Content-Type"].startswith("text/turtle")
        assert len(Graph().parse(data=record.text, format="turtle")) > 10
        home = requests.get(base, timeout=10)  # rendered from a template: the templates shipped
        assert home.status_code == 200 and home.headers["Content-Type"].startswith("text/html")
        assert "<html" in home.text.lower()
        opensearch = requests.get(f"{base}opensearch.xml", timeout=10)
        assert opensearch.status_code == 200 and f"{base}opensearch.xml" in opensearch.text
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
    assert "Traceback" not in log.read_text("utf-8", "replace"), log.read_text("utf-8", "replace")
