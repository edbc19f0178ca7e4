"""Benchmark of the ingestion at national scale (not a test): ``python benchmarks/bench_ingest.py``.

For sets of 25, 250 and 2 500 service returns (fictional national campaigns generated once by
``analysis.sample.write_national`` and cached under ``benchmarks/.work/ingest/``, about
143 data-category rows per return as in the national set: 100 000 rows for 700 returns, with the
sample's mess), measures in fresh subprocesses:

- the ingestion: ``analysis.ingest.ingest_files`` on each region's edition of the set (read,
  clean, resolve names, validate), then, apart, the writing of the tables (``save_tables``);
- the time pandas + python-calamine alone take to read the same files
  (``pd.read_excel(f, sheet_name=None, engine="calamine")``, ``pd.read_csv`` for the CSV exports);
- the ratio ingestion / read (target ≤ 2 at every size), the slope of both in log-log (1 = linear),
  drawn in ``benchmarks/ingestion_loglog.png``;
- the peak memory: ``ru_maxrss`` of the ingestion subprocess (whole process) and the tracemalloc
  peak of Python allocations (per region, on the smaller sets: regions are ingested one after the
  other, so the peak does not grow with the number of regions).

A region's reference list has 69 services, so a set of N returns is ⌈N / 39⌉ regions of about
39 returns, each ingested as its own edition, as a national campaign would be.

Writes its section of ``benchmarks/RESULTS.md``. Options: ``--sizes 25 250 2500``, ``--runs 3``
(runs for sets up to 250 returns; larger sets get ``--large-runs``, 1 by default),
``--generate-only``.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import WORK_DIR, bench_env, fr, machine, write_section

from analysis import paths

PY = sys.executable
SET_ROOT = WORK_DIR / "ingest"
RETURNS_PER_REGION = 39
CATEGORIES_PER_RETURN = 100_000 / 700
PLOT = paths.BENCHMARKS_DIR / "ingestion_loglog.png"
SECTION = "bench_ingest"


# --- the returns sets ------------------------------------------------------------------------

def set_dir(n: int) -> Path:
    return SET_ROOT / f"retours-{n}"


def ensure_set(n: int) -> list[Path]:
    """Generate (once) the set of ``n`` returns; return its edition files."""
    from analysis.sample import write_national

    folder = set_dir(n)
    done = folder / "editions.json"
    if done.is_file():
        return [Path(p) for p in json.loads(done.read_text(encoding="utf-8"))]
    regions = max(1, math.ceil(n / RETURNS_PER_REGION))
    start = time.perf_counter()
    editions = write_national(folder, regions=regions, returns=n, categories=round(n * CATEGORIES_PER_RETURN))
    done.write_text(json.dumps([str(p) for p in editions]), encoding="utf-8")
    print(f"jeu de {n} retours : {regions} région(s) générée(s) en {time.perf_counter() - start:.0f} s",
          file=sys.stderr)
    return editions


def _excel_and_csv(files: list[Path]) -> list[Path]:
    return [f for f in files if f.suffix.lower() in (".xlsx", ".xlsm", ".csv")]


# --- the measurements (run in subprocesses) -------------------------------------------------

def _read_pandas(path: Path) -> int:
    """Read every sheet of a file with pandas alone; return the number of rows (0 if unreadable)."""
    import pandas as pd

    try:
        if path.suffix.lower() == ".csv":
            try:
                frames = {"csv": pd.read_csv(path, sep=";", encoding="utf-8")}
            except UnicodeDecodeError:
                frames = {"csv": pd.read_csv(path, sep=";", encoding="cp1252")}
        else:
            frames = pd.read_excel(path, sheet_name=None, engine="calamine")
    except Exception:  # noqa: BLE001 - damaged files are refused by the ingestion too
        return 0
    return sum(len(df) for df in frames.values())


def worker(mode: str, editions: list[Path], scratch: Path) -> dict:
    """Measure one mode on one set, in this (fresh) process.

    Args:
        mode: ``read`` (pandas alone), ``ingest`` (ingestion, then writing), ``trace`` (ingestion
            under tracemalloc).
        editions: the set's edition files.
        scratch: where tables are written.

    Returns:
        Durations (s), rows, and peak memory (Mio).
    """
    import tracemalloc

    from analysis.edition import load_edition
    from analysis.ingest import ingest_files, list_survey_files
    from analysis.tables import save_tables

    eds = [load_edition(e) for e in editions]
    listed = [(ed, *list_survey_files(ed.survey_dir)) for ed in eds]
    out: dict = {"mode": mode, "seconds": 0.0, "cpu_seconds": 0.0, "write_seconds": 0.0, "rows": 0, "trace_peak_mib": 0.0,
                 "files": sum(len(f) for _, f, _ in listed)}
    # one-time start-up (lazy imports, schema construction, header maps), outside the timed loop for
    # both modes, measured apart: one file of the first region read or ingested once
    first_ed, first_files, _ = listed[0]
    probe = next(f for f in first_files if f.suffix.lower() == ".xlsx")
    start = time.perf_counter()
    if mode == "read":
        _read_pandas(probe)
    else:
        ingest_files([probe], first_ed, [])
    out["warmup_seconds"] = time.perf_counter() - start
    for ed, files, skipped in listed:
        if mode == "read":
            start, cpu = time.perf_counter(), time.process_time()
            out["rows"] += sum(_read_pandas(f) for f in _excel_and_csv(files))
            out["seconds"] += time.perf_counter() - start
            out["cpu_seconds"] += time.process_time() - cpu
            continue
        if mode == "trace":
            tracemalloc.start()
        start, cpu = time.perf_counter(), time.process_time()
        tables = ingest_files(files, ed, skipped)
        out["seconds"] += time.perf_counter() - start
        out["cpu_seconds"] += time.process_time() - cpu
        if mode == "trace":
            out["trace_peak_mib"] = max(out["trace_peak_mib"], tracemalloc.get_traced_memory()[1] / 2**20)
            tracemalloc.stop()
        totals = tables.log["totals"]
        out["rows"] += totals["raw_rows"]
        out.setdefault("categories", 0)
        out["categories"] += totals["cleaned_by_section"]["categories"]
        if mode == "ingest":
            start = time.perf_counter()
            save_tables(tables, scratch / "processed" / ed.id)
            out["write_seconds"] += time.perf_counter() - start
        del tables
    out["maxrss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def measure(mode: str, n: int) -> dict:
    """Run :func:`worker` in a fresh Python process and return its JSON result."""
    scratch = WORK_DIR / "scratch-ingest"
    cmd = [PY, str(Path(__file__).resolve()), "--worker", mode, "--set", str(n)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=bench_env(scratch))
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-3000:])
        raise SystemExit(f"échec de la mesure {mode} sur {n} retours")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- fitting, plotting, writing --------------------------------------------------------------

def slope(ns: list[int], ts: list[float]) -> float:
    """Slope of log(time) against log(size) (least squares); 1 means linear growth."""
    import numpy as np

    return float(np.polyfit(np.log(ns), np.log(ts), 1)[0])


def plot(ns: list[int], ingest: list[float], read: list[float], cpu: tuple[list[float], list[float]] | None = None,
         path: Path = PLOT) -> Path:
    """Log-log plot of the ingestion and read times (wall clock; CPU time dashed) against the number of returns."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 3.8), dpi=120)
    for ts, label, colour, marker in ((ingest, "Ingestion (ingest_files)", "#0072B2", "o"),
                                      (read, "Lecture seule pandas + calamine", "#E69F00", "s")):
        ax.loglog(ns, ts, marker=marker, color=colour, label=f"{label} — pente {fr(slope(ns, ts))}")
    if cpu is not None:
        for ts, label, colour in ((cpu[0], "Ingestion, temps CPU", "#0072B2"), (cpu[1], "Lecture, temps CPU", "#E69F00")):
            ax.loglog(ns, ts, linestyle="--", color=colour, alpha=0.7, label=f"{label} — pente {fr(slope(ns, ts))}")
    ax.set_xlabel("Nombre de retours de services (échelle log)")
    ax.set_ylabel("Durée (s, échelle log)")
    ax.set_title("Ingestion et lecture seule : croissance avec le volume", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def report(results: dict[int, dict], runs: dict[int, int]) -> list[str]:
    ns = sorted(results)
    ing = [results[n]["ingest"] for n in ns]
    rd = [results[n]["read"] for n in ns]
    ok = lambda cond: "atteint" if cond else "NON atteint"  # noqa: E731
    ratios = [i / r for i, r in zip(ing, rd, strict=True)]
    lines = [
        "## Ingestion à l'échelle nationale (`benchmarks/bench_ingest.py`)",
        "",
        "Jeux fictifs générés par `analysis.sample.write_national` (≈ 143 lignes « Données » par retour, "
        "le désordre de l'échantillon : sigles, formats français, CSV cp1252, doublons, onglets renommés, "
        "fichiers refusés…). Un jeu de N retours = ⌈N / 39⌉ régions, chacune ingérée comme sa propre "
        "édition, l'une après l'autre dans le même processus. Durées : médianes, en secondes, chaque mesure "
        "dans un processus Python neuf (imports exclus du chronomètre). Le rapport en temps CPU (temps "
        "processeur du processus, `time.process_time`) est moins sensible aux autres processus de la machine ; "
        "« Retours / min » compte l'ingestion et l'écriture des tables.",
        "",
        "### Machine",
        "",
        *machine(("pandas", "python-calamine", "numpy", "pyarrow", "pandera", "rapidfuzz")),
        "",
        "### Durées",
        "",
        "| Retours | Régions | Fichiers | Lignes brutes | dont « Données » retenues | Passes | Lecture pandas (s) "
        "| Ingestion (s) | Ingestion / lecture | Rapport en temps CPU | Écriture des tables (s) | Retours / min |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, ratio in zip(ns, ratios, strict=True):
        r = results[n]
        lines.append(
            f"| {n} | {r['regions']} | {r['files']} | {r['rows']} | {r['categories']} | {runs[n]} | {fr(r['read'])} "
            f"| {fr(r['ingest'])} | {fr(ratio)} | {fr(r['ingest_cpu'] / r['read_cpu'])} | {fr(r['write'])} | {n / (r['ingest'] + r['write']) * 60:.0f} |"
        )
    s_ing, s_read = slope(ns, ing), slope(ns, rd)
    first = results[ns[0]]
    lines += [
        "",
        f"Démarrage, une fois par processus et hors chronomètre pour les deux mesures (imports paresseux, "
        f"construction des schémas pandera, tables d'en-têtes ; un fichier lu ou ingéré une fois) : "
        f"{fr(first['warmup_ingest'])} s pour l'ingestion, {fr(first['warmup_read'])} s pour pandas. "
        "Chaque région ingérée paie en outre un coût fixe d'environ 0,1 s (listes de référence, validation des "
        "11 tables), sensible surtout sur le plus petit jeu (une seule région).",
        "",
        "### Objectifs",
        "",
        f"- Ingestion ≤ 2 × lecture seule à chaque taille : {ok(all(x <= 2 for x in ratios))} "
        f"(rapports : {', '.join(fr(x) for x in ratios)})",
        f"- Croissance linéaire : pente log-log de l'ingestion {fr(s_ing)}, de la lecture seule {fr(s_read)} "
        f"(temps CPU : {fr(slope(ns, [results[n]['ingest_cpu'] for n in ns]))} et "
        f"{fr(slope(ns, [results[n]['read_cpu'] for n in ns]))} ; 1 = linéaire) ; graphique : `benchmarks/{PLOT.name}`",
        "",
        "![Durées en fonction du nombre de retours, échelles logarithmiques](ingestion_loglog.png)",
        "",
        "### Mémoire",
        "",
        "| Retours | Pic du processus d'ingestion (ru_maxrss, Mio) | Pic du processus de lecture pandas (Mio) "
        "| Pic des allocations Python par région (tracemalloc, Mio) |",
        "|---:|---:|---:|---:|",
    ]
    for n in ns:
        r = results[n]
        trace = fr(r["trace"], 1) if r.get("trace") else "non mesuré (jeu trop long sous tracemalloc)"
        lines.append(f"| {n} | {fr(r['rss_ingest'], 0)} | {fr(r['rss_read'], 0)} | {trace} |")
    lines += [
        "",
        "Le pic mémoire ne suit pas le nombre de régions : chaque région est ingérée puis ses tables sont "
        "libérées ; il dépend surtout du volume d'une région (≈ 39 retours, ≈ 5 600 lignes « Données ») "
        "et ne croît que lentement avec le nombre de régions traitées dans le même processus (caches, "
        "fragmentation de la mémoire).",
        "",
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25, 250, 2500])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--large-runs", type=int, default=1)
    parser.add_argument("--trace-max", type=int, default=250, help="tracemalloc only on sets up to this size")
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--worker", choices=["read", "ingest", "trace"], help=argparse.SUPPRESS)
    parser.add_argument("--set", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        out = worker(args.worker, ensure_set(args.set), WORK_DIR / "scratch-ingest")
        print(json.dumps(out))
        return 0

    sets = {n: ensure_set(n) for n in args.sizes}
    if args.generate_only:
        return 0
    results: dict[int, dict] = {}
    runs: dict[int, int] = {}
    for n in sorted(sets):
        runs[n] = args.runs if n <= 250 else args.large_runs
        measure("read", n)  # warm the page cache, so both measures read from memory
        reads, ingests = [], []
        for i in range(runs[n]):
            print(f"{n} retours : passe {i + 1}/{runs[n]}…", file=sys.stderr)
            reads.append(measure("read", n))
            ingests.append(measure("ingest", n))
        trace = measure("trace", n)["trace_peak_mib"] if n <= args.trace_max else None
        results[n] = {
            "regions": len(sets[n]),
            "files": ingests[0]["files"],
            "rows": ingests[0]["rows"],
            "categories": ingests[0]["categories"],
            "read": statistics.median(r["seconds"] for r in reads),
            "ingest": statistics.median(r["seconds"] for r in ingests),
            "write": statistics.median(r["write_seconds"] for r in ingests),
            "warmup_read": statistics.median(r["warmup_seconds"] for r in reads),
            "warmup_ingest": statistics.median(r["warmup_seconds"] for r in ingests),
            "read_cpu": statistics.median(r["cpu_seconds"] for r in reads),
            "ingest_cpu": statistics.median(r["cpu_seconds"] for r in ingests),
            "rss_ingest": max(r["maxrss_mib"] for r in ingests),
            "rss_read": max(r["maxrss_mib"] for r in reads),
            "trace": trace,
            "all_read": [r["seconds"] for r in reads],
            "all_ingest": [r["seconds"] for r in ingests],
        }
        print(json.dumps({n: results[n]}), file=sys.stderr)
    ns = sorted(results)
    if len(ns) >= 2:
        plot(ns, [results[n]["ingest"] for n in ns], [results[n]["read"] for n in ns],
             ([results[n]["ingest_cpu"] for n in ns], [results[n]["read_cpu"] for n in ns]))
    lines = report(results, runs)
    write_section(SECTION, lines)
    (WORK_DIR / "bench_ingest.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
