"""Benchmark of the report build (not a test): ``python benchmarks/bench_build.py``.

Measures, on one edition and one audience, several runs each (medians):

- the full build (``python -m analysis build --force``);
- a rebuild with nothing changed;
- a rebuild after one notebook changed (its metadata, in a temporary copy of the notebooks: the
  committed notebooks are never edited);
- the full build with ``--jobs 1`` and with ``--jobs 2``;
- the naive chain a user would otherwise type, one notebook after another: ``papermill``, then
  ``jupyter nbconvert --to html --no-input``, then ``weasyprint`` on each HTML.

Writes ``benchmarks/RESULTS.md`` (machine description, medians, ratios, targets: full build
≤ 0.6 × naive chain; no-change rebuild ≤ 0.1 × full build).

Options: ``--edition FILE`` (default: the sample's latest edition), ``--chapters FILE`` (e.g.
``tests/fixtures/notebooks/chapters.yml`` to try the benchmark on the fixture notebooks),
``--runs N`` (3), ``--audience interne|public``, ``--skip-ingest``, ``--output FILE``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import yaml
from _common import machine as machine_lines
from _common import write_section

from analysis import paths
from analysis.build import chapter_parameters, load_chapters
from analysis.edition import load_edition

PY = sys.executable


def run(cmd: list[str], cwd: Path | None = None) -> float:
    """Run a command, fail loudly if it fails, return its wall-clock duration in seconds."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise SystemExit(f"échec de la commande : {' '.join(cmd)}")
    return elapsed


def copy_chapters(chapters_file: Path, target: Path) -> Path:
    """Copy the chapters' notebooks into ``target`` with a chapters file pointing to them."""
    target.mkdir(parents=True, exist_ok=True)
    items = []
    for spec in load_chapters(chapters_file):
        shutil.copy2(spec.notebook, target / spec.notebook.name)
        item = {"id": spec.id, "notebook": spec.notebook.name, "title": spec.title}
        if spec.parameters:
            item["parameters"] = spec.parameters
        items.append(item)
    out = target / "chapters.yml"
    out.write_text(yaml.safe_dump({"chapters": items}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


def touch_notebook(notebook: Path, stamp: str) -> None:
    """Change a notebook's metadata (a copy), so that the build sees new content."""
    nb = nbformat.read(notebook, as_version=4)
    nb.metadata["bench"] = stamp
    nbformat.write(nb, notebook)


def build_cmd(edition: Path, chapters: Path, root: Path, audience: str, jobs: int, force: bool) -> list[str]:
    cmd = [PY, "-m", "analysis", "build", "--edition", str(edition), "--chapters", str(chapters),
           "--reports-root", str(root), "--audience", audience, "--jobs", str(jobs)]
    return cmd + (["--force"] if force else [])


def naive_chain(edition, chapters: Path, audience: str, work: Path) -> float:
    """papermill, nbconvert and weasyprint on each notebook, one after another."""
    work.mkdir(parents=True, exist_ok=True)
    total = 0.0
    for spec in load_chapters(chapters):
        out = work / spec.notebook.name
        params = chapter_parameters(edition, audience, spec)
        cmd = [PY, "-m", "papermill", str(spec.notebook), str(out), "-k", "python3", "--cwd", str(spec.notebook.parent)]
        for key, value in params.items():
            cmd += ["-p", key, str(value)]
        total += run(cmd)
        total += run([PY, "-m", "nbconvert", "--to", "html", "--no-input", str(out)])
        html = out.with_suffix(".html")
        total += run([PY, "-m", "weasyprint", str(html), str(html.with_suffix(".pdf"))])
    return total


def machine() -> list[str]:
    return machine_lines(("papermill", "nbconvert", "ipykernel", "weasyprint"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edition", type=Path, default=paths.DEFAULT_EDITION)
    parser.add_argument("--chapters", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--audience", default="interne", choices=["interne", "public"])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--output", type=Path, default=paths.BENCHMARKS_DIR / "RESULTS.md")
    args = parser.parse_args(argv)

    edition_file = paths.resolve(args.edition, Path.cwd())
    edition = load_edition(edition_file)
    chapters_src = paths.resolve(args.chapters, Path.cwd()) if args.chapters else edition.chapters
    if not args.skip_ingest:
        if edition.previous:
            run([PY, "-m", "analysis", "ingest", "--edition", str(edition.previous)])
        run([PY, "-m", "analysis", "ingest", "--edition", str(edition_file)])

    times: dict[str, list[float]] = {k: [] for k in ("full", "nochange", "onechanged", "jobs1", "jobs2", "naive")}
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        tmp = Path(tmp)
        chapters = copy_chapters(chapters_src, tmp / "notebooks")
        first_nb = tmp / "notebooks" / load_chapters(chapters)[0].notebook.name
        for i in range(args.runs):
            print(f"passe {i + 1}/{args.runs}…", file=sys.stderr)
            root = tmp / f"reports-{i}"
            times["full"].append(run(build_cmd(edition_file, chapters, root, args.audience, args.jobs, True)))
            times["nochange"].append(run(build_cmd(edition_file, chapters, root, args.audience, args.jobs, False)))
            touch_notebook(first_nb, f"passe-{i}")
            times["onechanged"].append(run(build_cmd(edition_file, chapters, root, args.audience, args.jobs, False)))
            for jobs in (1, 2):
                r = tmp / f"reports-j{jobs}-{i}"
                times[f"jobs{jobs}"].append(run(build_cmd(edition_file, chapters, r, args.audience, jobs, True)))
            times["naive"].append(naive_chain(edition, chapters, args.audience, tmp / f"naive-{i}"))

    med = {k: statistics.median(v) for k, v in times.items()}
    n_chapters = len(load_chapters(chapters_src))
    rows = [
        (f"Construction complète (--force, --jobs {args.jobs})", "full"),
        ("Reconstruction sans changement", "nochange"),
        ("Reconstruction après modification d'un carnet", "onechanged"),
        ("Construction complète --jobs 1", "jobs1"),
        ("Construction complète --jobs 2", "jobs2"),
        ("Chaîne naïve (papermill → nbconvert → weasyprint, carnet par carnet)", "naive"),
    ]
    full_vs_naive = med["full"] / med["naive"]
    nochange_vs_full = med["nochange"] / med["full"]
    ok = lambda cond: "atteint" if cond else "NON atteint"  # noqa: E731
    lines = [
        "## Mesures de la construction des rapports (`benchmarks/bench_build.py`)",
        "",
        f"Généré par `benchmarks/bench_build.py` : édition `{edition.id}`, audience `{args.audience}`, "
        f"{n_chapters} chapitre(s) (`{chapters_src.relative_to(paths.PROJ_ROOT) if chapters_src.is_relative_to(paths.PROJ_ROOT) else chapters_src}`), "
        f"{args.runs} passe(s), médianes en secondes.",
        "",
        "### Machine",
        "",
        *machine(),
        "",
        "### Durées",
        "",
        "| Mesure | Médiane (s) | Passes (s) |",
        "|---|---:|---|",
        *(f"| {label} | {med[k]:.2f} | {', '.join(f'{x:.2f}' for x in times[k])} |" for label, k in rows),
        "",
        "### Rapports et objectifs",
        "",
        f"- Construction complète / chaîne naïve : {full_vs_naive:.2f} (objectif ≤ 0,6 : {ok(full_vs_naive <= 0.6)})",
        f"- Reconstruction sans changement / construction complète : {nochange_vs_full:.3f} "
        f"(objectif ≤ 0,1 : {ok(nochange_vs_full <= 0.1)})",
        f"- Un carnet modifié / construction complète : {med['onechanged'] / med['full']:.2f}",
        f"- --jobs 2 / --jobs 1 : {med['jobs2'] / med['jobs1']:.2f}",
        "",
        "La chaîne naïve ne produit ni rapport assemblé ni sommaire : elle ne fait que le minimum "
        "(un HTML et un PDF par carnet) ; la construction fait en plus l'assemblage et le PDF du rapport complet.",
        "",
    ]
    write_section("bench_build", lines, args.output)
    print("\n".join(lines))
    print(json.dumps({k: round(v, 3) for k, v in med.items()}), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
