"""Ingest N generated BL-format rows into a fresh store; report records/s and peak memory.

    python bench/ingest_bench.py --rows 627000 [--jobs 2] [--engine turbo] [--no-reingest] [--no-floor]

Peak memory is the largest sum of resident set sizes over the ingest process and its
worker processes, sampled every 0.2 s (also the sum of their proportional set sizes, which
counts pages the workers share once; its anonymous part, and the file-backed part
of the ingest process: pages of memory-mapped files, which the kernel can drop); CPU
seconds are given for the ingest process and for its workers.  After the fresh ingest: the store's
parts on disk (`ldpub stats --json`), quads stored against distinct triples, and the
floor: Oxigraph's own loader (`oxigraph load`, PyPI `oxigraph`) loading the quads the
ingest published (`ldpub export --format nq`), timed in the same run.  Then, unless
--no-reingest, the same dump is ingested again, and a copy with 1% of its rows changed
(every hundredth row gets a new title), each timed as a ratio of the fresh ingest (what
a monthly dump costs), with the records whose modification time changed counted.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.generate import generate  # noqa: E402


class Watch:
    """What the ingest process tree uses, sampled: peak resident memory (all, and the part
    backed by memory-mapped files, which the kernel can drop) and CPU seconds per process."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.peak = self.parent = self.peak_anon = self.parent_file = self.peak_pss = 0
        self.cpu: dict[int, float] = {}  # pid -> user + system seconds, last seen
        self.threads: dict[int, tuple[str, float]] = {}  # the ingest process's threads: tid -> (name, seconds)

    def sample(self) -> None:
        total = anon = pss = 0
        for p in [self.root, *self._children()]:
            with contextlib.suppress(psutil.NoSuchProcess, FileNotFoundError, ProcessLookupError):
                rss, rss_anon, rss_file = _resident(p.pid)
                total, anon, pss = total + rss, anon + rss_anon, pss + _proportional(p.pid)
                times = p.cpu_times()
                self.cpu[p.pid] = times.user + times.system
                if p.pid == self.root.pid:
                    self._sample_threads()
                    self.parent = max(self.parent, rss)
                    self.parent_file = max(self.parent_file, rss_file)
        self.peak, self.peak_anon = max(self.peak, total), max(self.peak_anon, anon)
        self.peak_pss = max(self.peak_pss, pss)

    def _sample_threads(self) -> None:
        """Which of the ingest process's threads spend its CPU: Python's own, or RocksDB's and
        Tantivy's (their threads are named, e.g. `rocksdb:low`)."""
        for thread in self.root.threads():
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                name = Path(f"/proc/{self.root.pid}/task/{thread.id}/comm").read_text().strip()
                self.threads[thread.id] = (name, thread.user_time + thread.system_time)

    def _children(self) -> list[psutil.Process]:
        with contextlib.suppress(psutil.NoSuchProcess):
            return self.root.children(recursive=True)
        return []

    def figures(self) -> dict:
        mb = 2**20
        parent_cpu = self.cpu.get(self.root.pid, 0.0)
        return {"peak_rss_mb": round(self.peak / mb), "peak_rss_anonymous_mb": round(self.peak_anon / mb),
                "peak_pss_mb": round(self.peak_pss / mb),
                "peak_rss_ingest_process_mb": round(self.parent / mb),
                "peak_rss_ingest_process_file_backed_mb": round(self.parent_file / mb),
                "cpu_seconds_ingest_process": round(parent_cpu, 1),
                "cpu_seconds_workers": round(sum(self.cpu.values()) - parent_cpu, 1),
                "cpu_seconds_ingest_process_by_thread": self._by_thread_name()}  # fmt: skip

    def _by_thread_name(self) -> dict[str, float]:
        """The ingest process's CPU seconds by thread name, numbers dropped (`rocksdb:low1` -> `rocksdb:low`)."""
        totals: dict[str, float] = {}
        for name, seconds in self.threads.values():
            group = name.rstrip("0123456789") or name
            totals[group] = round(totals.get(group, 0.0) + seconds, 1)
        return dict(sorted(totals.items(), key=lambda item: -item[1]))


def _resident(pid: int) -> tuple[int, int, int]:
    """RSS, and its anonymous and file-backed parts, from /proc/PID/status (bytes)."""
    fields = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "RssAnon", "RssFile"):
                fields[name] = int(value.split()[0]) * 1024
    return fields.get("VmRSS", 0), fields.get("RssAnon", 0), fields.get("RssFile", 0)


def _proportional(pid: int) -> int:
    """PSS (bytes): resident memory with each page shared by N processes counted 1/N in each,
    so that the sum over processes is what they hold together (forked workers share the
    modules their fork server loaded)."""
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
        for line in rollup:
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    return 0


def disk_bytes(root: Path) -> int:
    """Bytes on disk, each file once: snapshots share the primary's files through hard links."""
    inodes = {f.stat().st_ino: f.stat().st_size for f in root.rglob("*") if f.is_file()}
    return sum(inodes.values())


def run(args: argparse.Namespace, data: Path | None = None, fresh: bool = True) -> dict:
    rows, jobs, engine, batch_size, store = args.rows, args.jobs, args.engine, args.batch_size, args.store
    if data is None:
        data = HERE / "out" / f"ethos-{rows}.csv"
        if not data.exists():
            generate(rows, data)
    if fresh:
        shutil.rmtree(store, ignore_errors=True)
    command = [sys.executable, "-m", "ld", "ingest", "--no-progress", "--store", str(store), "--jobs", str(jobs),
               "--shacl-engine", engine, "--batch-size", str(batch_size), str(data)]  # fmt: skip
    start = time.monotonic()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    watch = Watch(child.pid)
    while child.poll() is None:
        watch.sample()
        time.sleep(0.2)
    seconds = time.monotonic() - start
    output = child.stdout.read() if child.stdout else ""
    return {"rows": rows, "jobs": jobs, "engine": engine, "batch_size": batch_size, "seconds": round(seconds, 1),
            "records_per_second": round(rows / seconds), **watch.figures(),
            "store_mb": round(disk_bytes(store) / 2**20),
            "exit_code": child.returncode, "summary": output.strip().splitlines()}  # fmt: skip


def current_snapshot(store: Path) -> Path:
    return store / "snapshots" / (store / "CURRENT").read_text().split()[0]


def store_figures(store: Path) -> dict:
    """Each part of the store on disk, and quads stored against the distinct triples they hold."""
    stats = subprocess.run([sys.executable, "-m", "ld", "stats", "--json", "--store", str(store)],
                           capture_output=True, text=True, check=True)  # fmt: skip
    db = ox.Store.read_only(str(current_snapshot(store)))
    count = "SELECT (COUNT(*) AS ?n) WHERE { %s }"
    quads = int(next(iter(db.query(count % "GRAPH ?g { ?s ?p ?o }")))["n"].value)
    distinct = int(next(iter(db.query(count % "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")))["n"].value)
    graphs = sum(1 for _ in db.named_graphs())
    return {"disk": json.loads(stats.stdout), "quads": quads, "distinct_triples": distinct, "graphs": graphs,
            "quads_per_distinct_triple": round(quads / distinct, 3)}  # fmt: skip


def loader_floor(store: Path) -> dict:
    """`oxigraph load` of the quads the ingest published, into a fresh directory: seconds and bytes."""
    out = HERE / "out"
    nquads, target = out / "published.nq", out / "oxigraph-load"
    subprocess.run([sys.executable, "-m", "ld", "export", "--store", str(store), "--format", "nq",
                    "-o", str(nquads)], check=True)  # fmt: skip
    shutil.rmtree(target, ignore_errors=True)
    start, used = time.monotonic(), resource.getrusage(resource.RUSAGE_CHILDREN)
    loader = [str(Path(sys.executable).with_name("oxigraph")), "load", "--location", str(target), "--file", str(nquads)]
    subprocess.run(loader, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds, after = time.monotonic() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime
    figures = {"seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1),
               "store_mb": round(disk_bytes(target) / 2**20),
               "nquads_mb": round(nquads.stat().st_size / 2**20)}  # fmt: skip
    shutil.rmtree(target, ignore_errors=True)
    nquads.unlink()
    return figures


def modified_times(store: Path) -> dict[str, str]:
    """Each published record's modification time, from the current snapshot."""
    db = ox.Store.read_only(str(current_snapshot(store)))
    query = "SELECT ?g ?m WHERE { GRAPH ?g { ?g <http://purl.org/dc/terms/modified> ?m } }"
    return {row["g"].value: row["m"].value for row in db.query(query)}


def changed_copy(data: Path, every: int = 100) -> tuple[Path, int]:
    """The dump with every `every`-th data row's title changed (its first cell): (path, rows changed)."""
    out = data.with_name(data.stem + "-changed.csv")
    changed = 0
    with open(data, encoding="utf-8", newline="") as source, open(out, "w", encoding="utf-8", newline="") as target:
        reader, writer = csv.reader(source), csv.writer(target, lineterminator="\n")
        writer.writerow(next(reader))
        for number, row in enumerate(reader, 1):
            if number % every == 0 and row:
                row[0] = f"{row[0]} (revised)"
                changed += 1
            writer.writerow(row)
    return out, changed


def reingest(args: argparse.Namespace, fresh: dict) -> dict:
    """The same dump again, then the 1%-changed copy, each as a ratio of the fresh ingest."""
    store = args.store
    before = modified_times(store)
    same = run(args, fresh=False)
    after_same = modified_times(store)
    copy, changed = changed_copy(HERE / "out" / f"ethos-{args.rows}.csv")
    one_percent = run(args, data=copy, fresh=False)
    after_changed = modified_times(store)
    return {
        "same_dump": {**same, "ratio_to_fresh": round(same["seconds"] / fresh["seconds"], 3),
                      "records_modified": sum(after_same[g] != m for g, m in before.items())},
        "one_percent_changed": {**one_percent, "rows_changed": changed,
                                "ratio_to_fresh": round(one_percent["seconds"] / fresh["seconds"], 3),
                                "records_modified": sum(after_changed[g] != m for g, m in after_same.items())},
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=627_000)
    parser.add_argument("--store", type=Path, default=HERE / "out" / "store", help="made afresh: its contents go")
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--engine", default="turbo")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--no-reingest", action="store_true", help="only the fresh ingest")
    parser.add_argument("--no-floor", action="store_true", help="no store figures, no `oxigraph load`")
    args = parser.parse_args()
    result = run(args)
    if not args.no_floor:
        result["store"] = store_figures(args.store)
        result["floor"] = loader_floor(args.store)
        result["ratio_to_floor"] = round(result["seconds"] / result["floor"]["seconds"], 2)
    print(json.dumps(result, indent=2, ensure_ascii=False), flush=True)
    if not args.no_reingest:
        print(json.dumps(reingest(args, result), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
