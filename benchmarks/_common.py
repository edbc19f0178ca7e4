"""Helpers shared by the benchmark scripts (not a test module).

- :func:`machine`: a French description of the machine (CPU, cores, RAM, OS, Python, packages);
- :func:`write_section`: rewrite one script's section of ``benchmarks/RESULTS.md`` between its
  markers, leaving the other scripts' sections untouched;
- :func:`bench_env`: an environment that sends processed tables and reports to a scratch folder,
  so that a benchmark never touches the project's ``data/processed`` and ``reports``.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata as md
import os
import platform
import re
from collections.abc import Iterable
from pathlib import Path

from analysis import paths

#: Scratch folder of the benchmarks (git-ignored): generated returns, processed tables, reports.
WORK_DIR = paths.BENCHMARKS_DIR / ".work"
RESULTS = paths.BENCHMARKS_DIR / "RESULTS.md"
TITLE = "# Mesures de performance"


def _version(package: str) -> str:
    try:
        return md.version(package)
    except md.PackageNotFoundError:
        return "absent"


def machine(packages: Iterable[str] = ("pandas", "python-calamine", "pyarrow", "pandera")) -> list[str]:
    """Markdown bullet lines describing the machine and the software measured.

    Args:
        packages: distribution names whose versions are listed.

    Returns:
        French bullet lines: processor, logical cores, memory, system, Python and package versions, date.
    """
    cpu = platform.processor() or platform.machine()
    ram = "inconnue"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(ln for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal"))
        ram = f"{fr(int(mem.split()[1]) / 1024 / 1024, 1)} Gio"
    except (OSError, StopIteration):
        pass
    versions = ", ".join(f"{p} {_version(p)}" for p in packages)
    return [
        f"- Processeur : {cpu} ; cœurs logiques : {os.cpu_count()} ; mémoire : {ram}",
        f"- Système : {platform.platform()}",
        f"- Python {platform.python_version()} ; {versions}",
        f"- Date de la mesure : {dt.datetime.now().astimezone().isoformat(timespec='minutes')} ; charge moyenne "
        f"de la machine au moment de l'écriture (1, 5, 15 min) : {', '.join(fr(x) for x in os.getloadavg())} "
        "(au-delà du nombre de cœurs, d'autres processus partageaient la machine et les durées en sont allongées)",
    ]


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:début -->", f"<!-- {name}:fin -->"


def write_section(name: str, lines: list[str], path: Path = RESULTS) -> Path:
    """Replace the section ``name`` of the results file (between its markers), or append it.

    Args:
        name: the script's name (``bench_ingest``), used in the markers.
        lines: the section's Markdown lines (with its own ``##`` title).
        path: the results file (created with a title when absent).

    Returns:
        The file written.
    """
    start, end = _markers(name)
    block = "\n".join([start, *lines, end])
    text = path.read_text(encoding="utf-8") if path.is_file() else f"{TITLE}\n"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def bench_env(scratch: Path) -> dict[str, str]:
    """The current environment with processed tables and reports redirected under ``scratch``.

    Args:
        scratch: a scratch folder (created).

    Returns:
        The environment for ``subprocess`` (``ANALYSIS_PROCESSED_DIR``, ``ANALYSIS_REPORTS_DIR`` set).
    """
    scratch.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["ANALYSIS_PROCESSED_DIR"] = str(scratch / "processed")
    env["ANALYSIS_REPORTS_DIR"] = str(scratch / "reports")
    return env


def fr(value: float, decimals: int = 2) -> str:
    """A number with a French decimal comma (``1,25``)."""
    return f"{value:,.{decimals}f}".replace(",", " ").replace(".", ",")
