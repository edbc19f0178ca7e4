"""Benchmark of a national campaign's build (not a test): ``python benchmarks/bench_campaign.py``.

Uses the fictional national campaign (``analysis.sample.write_national``: 18 regions, 700
returns, 100 000 data categories, generated once under ``benchmarks/.work/national/``), ingests
every region (``python -m analysis ingest``, timed), then measures with the real chapter notebooks,
each build with ``--force`` into a scratch reports root, both audiences:

- one region alone, ``--jobs 1`` and ``--jobs 2``;
- several regions in one ``python -m analysis build --campaign`` command, ``--jobs 1`` and
  ``--jobs 2``: all 18 with ``--regions 18``, or a subset (``--regions 3``, the default) whose time
  is extrapolated linearly to the 18 regions (each region's build is independent: the work is the
  sum of the regions' chapters), and the extrapolation is stated in the results;
- the peak resident memory of the largest process of each command (kernels included).

Processed tables and reports go to ``benchmarks/.work/`` (``ANALYSIS_PROCESSED_DIR``,
``ANALYSIS_REPORTS_DIR``): the project's ``data/processed`` and ``reports`` are never touched.
Writes its section of ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml
from _common import WORK_DIR, bench_env, fr, machine, write_section

PY = sys.executable
NATIONAL = WORK_DIR / "national"
SCRATCH = WORK_DIR / "scratch-campaign"
SECTION = "bench_campaign"
ALL_REGIONS = 18


def ensure_national() -> list[Path]:
    """Generate (once) the national campaign; return its edition files in region order."""
    from analysis.sample import write_national

    done = NATIONAL / "editions.json"
    if done.is_file():
        return [Path(p) for p in json.loads(done.read_text(encoding="utf-8"))]
    start = time.perf_counter()
    editions = write_national(NATIONAL)
    done.write_text(json.dumps([str(p) for p in editions]), encoding="utf-8")
    print(f"campagne nationale générée en {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return editions


def campaign_file(editions: list[Path], name: str) -> Path:
    """Write a campaign file (``editions: [...]``) listing ``editions``."""
    path = SCRATCH / f"{name}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"editions": [str(e) for e in editions]}), encoding="utf-8")
    return path


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run ``cmd`` through a small wrapper process; return (seconds, largest process peak in Mio, stdout tail).

    The wrapper reports ``RUSAGE_CHILDREN.ru_maxrss``: the peak of the largest process among the
    command and its descendants (workers, notebook kernels), measured for this command alone.
    """
    wrapper = ("import json, resource, subprocess, sys, time\n"
               "t = time.perf_counter(); p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
               "d = time.perf_counter() - t\n"
               "print(json.dumps({'rc': p.returncode, 's': d, 'rss': resource.getrusage(resource.RUSAGE_CHILDREN)"
               ".ru_maxrss / 1024, 'out': p.stdout[-20000:], 'err': p.stderr[-4000:]}))")
    proc = subprocess.run([PY, "-c", wrapper, *cmd], capture_output=True, text=True, env=env)
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    if out["rc"] != 0:
        sys.stderr.write(out["out"] + out["err"])
        raise SystemExit(f"échec de la commande : {' '.join(cmd)}")
    return out["s"], out["rss"], out["out"]


def build(campaign: Path, jobs: int, root: Path, env: dict[str, str]) -> tuple[float, float, str]:
    shutil.rmtree(root, ignore_errors=True)
    cmd = [PY, "-m", "analysis", "build", "--campaign", str(campaign), "--jobs", str(jobs), "--force",
           "--reports-root", str(root)]
    return timed(cmd, env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=3, help="regions built together (18 = the whole campaign)")
    parser.add_argument("--skip-ingest", action="store_true")
    args = parser.parse_args(argv)

    editions = ensure_national()
    env = bench_env(SCRATCH)
    ingest_times, ingest_rss = [], []
    if not args.skip_ingest:
        for e in editions:
            s, rss, _ = timed([PY, "-m", "analysis", "ingest", "--edition", str(e)], env)
            ingest_times.append(s)
            ingest_rss.append(rss)
            print(f"ingestion {e.stem} : {s:.1f} s", file=sys.stderr)

    k = max(1, min(args.regions, len(editions)))
    one, subset = campaign_file(editions[:1], "une-region"), campaign_file(editions[:k], f"{k}-regions")
    res: dict[str, tuple[float, float, str]] = {}
    for label, camp, jobs in (("one_j1", one, 1), ("one_j2", one, 2), ("sub_j1", subset, 1), ("sub_j2", subset, 2)):
        print(f"construction {label}…", file=sys.stderr)
        res[label] = build(camp, jobs, SCRATCH / f"reports-{label}", env)
        print(f"  {res[label][0]:.1f} s", file=sys.stderr)
    # the build's own summary (progress bars left out): one line per region and audience, then totals
    summary_tail = [line for line in res["sub_j2"][2].replace("\r", "\n").splitlines()
                    if line.strip() and "Chapitres:" not in line][-9:]

    n_all = len(editions)
    extrapolated = k < n_all
    factor = n_all / k
    rows = [
        ("1 région", "1", res["one_j1"]),
        ("1 région", "2", res["one_j2"]),
        (f"{k} régions (une commande --campaign)", "1", res["sub_j1"]),
        (f"{k} régions (une commande --campaign)", "2", res["sub_j2"]),
    ]
    all_j1, all_j2 = res["sub_j1"][0] * factor, res["sub_j2"][0] * factor
    per_region_j2 = res["sub_j2"][0] / k
    lines = [
        "## Construction d'une campagne nationale (`benchmarks/bench_campaign.py`)",
        "",
        f"Campagne fictive `write_national` : {n_all} régions, 700 retours, ≈ 100 000 lignes « Données » "
        "(≈ 39 retours et ≈ 5 600 catégories par région). Chaque construction : `python -m analysis build "
        "--campaign … --force`, les 7 chapitres réels, audiences interne et publique (HTML et PDF), "
        "une seule passe (une construction dure plusieurs minutes).",
        "",
        "### Machine",
        "",
        *machine(("pandas", "python-calamine", "papermill", "nbconvert", "weasyprint", "matplotlib")),
        "",
        "### Durées",
        "",
        "| Régions construites | --jobs | Durée (s) | Par région (s) | Pic mémoire du plus gros processus (Mio) |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, jobs, (s, rss, _) in rows:
        n = 1 if label.startswith("1 ") else k
        lines.append(f"| {label} | {jobs} | {fr(s, 1)} | {fr(s / n, 1)} | {fr(rss, 0)} |")
    if extrapolated:
        lines += [
            f"| **{n_all} régions** (extrapolé linéairement) | 1 | {fr(all_j1, 0)} | {fr(all_j1 / n_all, 1)} | |",
            f"| **{n_all} régions** (extrapolé linéairement) | 2 | {fr(all_j2, 0)} | {fr(all_j2 / n_all, 1)} | |",
        ]
    lines.append("")
    if extrapolated:
        lines += [
            f"Les {n_all} régions n'ont pas été construites : la durée est celle des {k} premières régions "
            f"× {n_all} / {k}. L'extrapolation linéaire est justifiée : les régions sont indépendantes "
            "(mêmes chapitres, volumes voisins), la construction ne partage rien entre elles.",
            "",
        ]
    lines += [
        f"- Gain de `--jobs 2` sur `--jobs 1` : {fr(res['sub_j1'][0] / res['sub_j2'][0])} × pour {k} régions, "
        f"{fr(res['one_j1'][0] / res['one_j2'][0])} × pour une région.",
        f"- Débit sur cette machine (`--jobs 2`) : {fr(3600 / per_region_j2, 1)} régions par heure "
        f"({fr(per_region_j2 / 60, 1)} min par région, 14 carnets exécutés et 2 rapports PDF par région).",
    ]
    if ingest_times:
        lines += [
            f"- Ingestion des {n_all} régions (`python -m analysis ingest`, une commande par région, démarrage de "
            f"Python compris) : {fr(sum(ingest_times), 1)} s au total, {fr(sum(ingest_times) / n_all, 1)} s par région ; "
            f"pic mémoire d'une ingestion : {fr(max(ingest_rss), 0)} Mio.",
        ]
    lines += [
        "",
        "Fin du résumé affiché par la dernière construction :",
        "",
        "```",
        *summary_tail,
        "```",
        "",
    ]
    write_section(SECTION, lines)
    (WORK_DIR / "bench_campaign.json").write_text(json.dumps(
        {"k": k, "n": n_all, "ingest": ingest_times, "ingest_rss": ingest_rss,
         **{key: v[:2] for key, v in res.items()}}, indent=1), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
