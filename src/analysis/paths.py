"""Every path the project uses, built from this file's location, never from the working directory.

A notebook run from JupyterLab, from papermill or from a test finds its files the same way.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJ_ROOT = PACKAGE_DIR.parents[1]

CONFIG_DIR = PROJ_ROOT / "config"
DATA_DIR = PROJ_ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
PROCESSED_DIR = DATA_DIR / "processed"
REFERENCE_DIR = DATA_DIR / "reference"
REPORTS_DIR = PROJ_ROOT / "reports"
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"
DOCS_DIR = PROJ_ROOT / "docs"
BENCHMARKS_DIR = PROJ_ROOT / "benchmarks"
TEMPLATES_DIR = PACKAGE_DIR / "templates"
RESOURCES_DIR = PACKAGE_DIR / "resources"

#: Real public data shared beside the project (read-only, absent on a user's fresh clone).
REALDATA_DIR = Path(os.environ.get("ANALYSIS_REALDATA", PROJ_ROOT.parent / "shared" / "realdata"))

#: The edition every command uses when none is given: the shipped sample's latest wave.
DEFAULT_EDITION = CONFIG_DIR / "hauts-de-france-2021.yaml"


def resolve(path: str | os.PathLike[str], base: Path = PROJ_ROOT) -> Path:
    """Return ``path`` as an absolute path, relative paths being taken from ``base``.

    Args:
        path: a path as written in an edition file or on the command line.
        base: the folder relative paths are resolved against (the project root by default).

    Returns:
        The absolute, normalised path.
    """
    p = Path(path).expanduser()
    return (p if p.is_absolute() else base / p).resolve()


def processed_root() -> Path:
    """Root of the processed tables: ``data/processed``, or ``$ANALYSIS_PROCESSED_DIR`` when set.

    The variable lets tests (and their notebook kernels, which inherit the environment) work in a
    temporary folder without touching the project's outputs.
    """
    return Path(os.environ.get("ANALYSIS_PROCESSED_DIR") or PROCESSED_DIR)


def reports_root() -> Path:
    """Root of the reports: ``reports``, or ``$ANALYSIS_REPORTS_DIR`` when set."""
    return Path(os.environ.get("ANALYSIS_REPORTS_DIR") or REPORTS_DIR)


def processed_dir(edition_id: str) -> Path:
    """Folder of an edition's cleaned tables (``data/processed/<edition>/``)."""
    return processed_root() / edition_id


def reports_dir(edition_id: str) -> Path:
    """Folder of an edition's reports (``reports/<edition>/``)."""
    return reports_root() / edition_id
