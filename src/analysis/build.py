"""Build every report of an edition: execute the chapter notebooks, export, assemble, print.

For each audience of an edition (``interne``, ``public``) the build writes, in
``reports/<edition>/<audience>/``:

- ``carnets/NN_….ipynb``: the executed chapter notebooks (papermill);
- ``chapitres/NN_….html``: one self-contained HTML page per chapter;
- ``rapport.html``: the assembled report (cover, table of contents, numbered chapters, figures
  and tables), self-contained (inline CSS, images as ``data:`` URIs, no script);
- ``rapport.pdf``: the same report printed by WeasyPrint (A4);
- ``manifest.json``: the content hashes that make the next build incremental.

Speed: a chapter is executed again only when its notebook, its parameters, the data it reads or
the package code changed (hashes kept in the manifest); independent chapters of every audience and
edition run in parallel in worker processes.

Safety: everything is written into a staging folder and moved into place only when complete, so
a failed or killed build leaves the last good reports untouched. A failed build keeps its
executed notebooks (with the error) in ``reports/<edition>/echec-<audience>/`` for diagnosis.
The public build is scanned by :func:`analysis.public.scan_public_artefacts`; any problem stops it.

Reproducibility: two builds of the same inputs give byte-identical HTML (date from the edition
file, stable ids, no execution metadata in the HTML).
"""

from __future__ import annotations

import ast
import base64
import concurrent.futures as cf
import hashlib
import json
import multiprocessing
import os
import re
import secrets
import shutil
import sys
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

from analysis import paths
from analysis.edition import AUDIENCES, Edition, EditionError, load_edition

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
KERNEL_NAME = "python3"
DECLARED_PARAMETERS = ("edition_file", "audience")
NBCONVERT_TEMPLATES = paths.TEMPLATES_DIR / "nbconvert"
NBCONVERT_TEMPLATE_NAME = "rapport"
REPORT_TEMPLATE = "report.html.j2"
REPORT_CSS = "report.css"
FICTIONAL_NOTICE = (
    "Données fictives : ce rapport est produit sur un échantillon d'enquête fictif livré avec "
    "l'outil ; il ne décrit aucun service réel."
)
REPORT_AUTHOR = "Mission stratégie de la donnée de l'État en région"

BUILT, REUSED, FAILED = "construit", "réutilisé", "échec"

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_NUMBERED_CAPTION = re.compile(r"^\s*(Figure|Tableau)\s+\d")
_SVG_DATE = re.compile(rb"\s*<dc:date>.*?</dc:date>", re.S)
_SVG_DATE_STR = re.compile(r"\s*<dc:date>.*?</dc:date>", re.S)
_ID_CHARS = re.compile(r"[^A-Za-z0-9_-]+")


class BuildError(Exception):
    """A problem that prevents building a chapter or a report; the message is in French."""


# --------------------------------------------------------------------------------------------
# Chapters, campaigns, parameters
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChapterSpec:
    """One report chapter as listed in ``notebooks/chapters.yml``.

    Attributes:
        id: two-digit identifier (``"02"``), also the chapter number.
        notebook: the notebook file (absolute).
        title: the chapter title shown in the table of contents.
        parameters: extra papermill parameters for this chapter.
    """

    id: str
    notebook: Path
    title: str
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def stem(self) -> str:
        """Output file stem (``02_inventaire_donnees``)."""
        return self.notebook.stem

    @property
    def number(self) -> int | None:
        """The chapter number (``int(id)``) when the id is numeric."""
        return int(self.id) if self.id.isdigit() else None

    @property
    def heading(self) -> str:
        """The chapter heading: ``"2. Inventaire des données"``; chapter 0 is not numbered."""
        return self.title if not self.number else f"{self.number}. {self.title}"


def load_chapters(path: str | Path) -> list[ChapterSpec]:
    """Read a chapters file (the ordered list of report notebooks).

    Args:
        path: the YAML file; notebook paths are relative to its folder.

    Returns:
        The chapters, in report order.

    Raises:
        BuildError: listing, in French, every problem found.
    """
    path = Path(path)
    if not path.is_file():
        raise BuildError(f"Liste des chapitres introuvable : {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise BuildError(f"{path.name} : YAML illisible ({exc})") from exc
    items = data.get("chapters") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise BuildError(f"{path.name} : la clé « chapters » doit lister au moins un chapitre.")
    errors: list[str] = []
    chapters: list[ChapterSpec] = []
    seen: set[str] = set()
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            errors.append(f"chapitre n° {i} : attendu un dictionnaire id / notebook / title")
            continue
        cid, nb, title = str(item.get("id") or ""), item.get("notebook"), item.get("title")
        params = item.get("parameters") or {}
        if not re.fullmatch(r"[0-9A-Za-z_-]+", cid):
            errors.append(f"chapitre n° {i} : « id » manquant ou invalide ({item.get('id')!r})")
        elif cid in seen:
            errors.append(f"chapitre n° {i} : identifiant en double « {cid} »")
        seen.add(cid)
        if not isinstance(nb, str) or not nb.endswith(".ipynb"):
            errors.append(f"chapitre {cid or i} : « notebook » doit être un fichier .ipynb ({nb!r})")
            continue
        if not isinstance(title, str) or not title.strip():
            errors.append(f"chapitre {cid or i} : « title » manquant")
        if not isinstance(params, dict):
            errors.append(f"chapitre {cid or i} : « parameters » doit être un dictionnaire")
            params = {}
        nb_path = paths.resolve(nb, base=path.parent)
        if not nb_path.is_file():
            errors.append(f"chapitre {cid or i} : carnet introuvable ({nb_path})")
        chapters.append(ChapterSpec(cid, nb_path, str(title or "").strip(), dict(params)))
    if errors:
        raise BuildError(f"Liste des chapitres {path.name} invalide :\n- " + "\n- ".join(errors))
    return chapters


def load_campaign(path: str | Path) -> list[Path]:
    """Read a campaign file: ``editions: [config/a.yaml, …]`` (paths relative to the project root).

    Args:
        path: the campaign YAML file.

    Returns:
        The edition files, absolute, in the file's order.

    Raises:
        BuildError: when the file is missing or malformed.
    """
    path = paths.resolve(path)
    if not path.is_file():
        raise BuildError(f"Fichier de campagne introuvable : {path}")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = data.get("editions") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items or not all(isinstance(x, str) for x in items):
        raise BuildError(f"{path.name} : la clé « editions » doit lister des fichiers d'édition.")
    return [paths.resolve(x) for x in items]


def declared_parameters(notebook: str | Path) -> tuple[str, ...]:
    """Names assigned in the notebook's single cell tagged ``parameters``.

    Args:
        notebook: the ``.ipynb`` file.

    Returns:
        The declared parameter names, in order.

    Raises:
        BuildError: when there is not exactly one ``parameters`` cell or it is not valid Python.
    """
    import nbformat

    notebook = Path(notebook)
    nb = nbformat.read(notebook, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise BuildError(
            f"{notebook.name} : le carnet doit avoir exactement une cellule étiquetée « parameters » "
            f"(trouvé : {len(cells)})."
        )
    try:
        tree = ast.parse(cells[0].source)
    except SyntaxError as exc:
        raise BuildError(f"{notebook.name} : cellule « parameters » illisible ({exc.msg}).") from exc
    names: list[str] = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        for target in targets:
            if isinstance(target, ast.Name) and target.id not in names:
                names.append(target.id)
    return tuple(names)


def check_parameters(notebook: str | Path, passed: dict[str, Any]) -> None:
    """Refuse parameters the notebook does not declare (papermill would only warn).

    Args:
        notebook: the ``.ipynb`` file.
        passed: the parameters the build passes.

    Raises:
        BuildError: naming the notebook and every undeclared parameter.
    """
    declared = declared_parameters(notebook)
    unknown = [name for name in passed if name not in declared]
    if unknown:
        raise BuildError(
            f"{Path(notebook).name} : paramètre(s) non déclaré(s) dans la cellule « parameters » : "
            f"{', '.join(sorted(unknown))} (déclarés : {', '.join(declared) or 'aucun'})."
        )


def chapter_parameters(edition: Edition, audience: str, chapter: ChapterSpec) -> dict[str, Any]:
    """The papermill parameters of one chapter: edition file, audience, then the chapter's own."""
    return {"edition_file": str(edition.path), "audience": audience, **chapter.parameters}


# --------------------------------------------------------------------------------------------
# Hashes
# --------------------------------------------------------------------------------------------


def _sha(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def hash_tree(folder: Path, exclude: Iterable[Path] = (), suffixes: tuple[str, ...] = ()) -> str:
    """Hash every file of a folder (relative names and contents), in sorted order.

    Args:
        folder: the folder (a missing folder hashes to a fixed value).
        exclude: sub-folders to skip (the public copy inside the internal tables folder).
        suffixes: only files with these suffixes (all files when empty).

    Returns:
        A hex SHA-256.
    """
    if not folder.is_dir():
        return _sha("absent", str(folder))
    skip = [p.resolve() for p in exclude]
    parts: list[str | bytes] = []
    for f in sorted(folder.rglob("*")):
        if not f.is_file() or "__pycache__" in f.parts:
            continue
        if suffixes and f.suffix not in suffixes:
            continue
        if any(f.resolve().is_relative_to(s) for s in skip):
            continue
        parts += [f.relative_to(folder).as_posix(), f.read_bytes()]
    return _sha(*parts)


def _hash_file(path: Path | None) -> str:
    if path is None:
        return "none"
    return _sha(path.name, path.read_bytes()) if path.is_file() else _sha("absent", path.name)


def code_hash() -> str:
    """Hash of the package code (``src/analysis/**/*.py``) and of the report templates."""
    return _sha(
        hash_tree(paths.PACKAGE_DIR, exclude=[paths.TEMPLATES_DIR], suffixes=(".py",)),
        hash_tree(paths.TEMPLATES_DIR),
    )


def inputs_hash(edition: Edition, audience: str, tables_dir: Path) -> str:
    """Hash of everything but the notebook a chapter reads.

    The edition file, its configuration files (rules, recommendations, maturity specification,
    reference lists), the audience's processed tables and, when there is one, the previous
    edition's file and tables.
    """
    from analysis.tables import audience_dir

    public_sub = [audience_dir(edition.id, "public")] if audience == "interne" else []
    parts = [
        _hash_file(edition.path),
        hash_tree(tables_dir, exclude=public_sub),
        *(
            _hash_file(p)
            for p in (
                edition.rules,
                edition.recommendations,
                edition.maturity_spec,
                edition.services_reference,
                edition.arrangements_reference,
                edition.published_catalogues,
            )
        ),
    ]
    if edition.previous is not None:
        parts.append(_hash_file(edition.previous))
        try:
            prev = load_edition(edition.previous)
            prev_dir = audience_dir(prev.id, audience)
            prev_sub = [audience_dir(prev.id, "public")] if audience == "interne" else []
            parts.append(hash_tree(prev_dir, exclude=prev_sub))
        except EditionError:
            parts.append("previous-invalid")
    return _sha(*parts)


# --------------------------------------------------------------------------------------------
# Executing a chapter (runs in a worker process)
# --------------------------------------------------------------------------------------------


def _first_line(text: str, limit: int = 160) -> str:
    line = next((ln.strip() for ln in _ANSI.sub("", text or "").splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _failure_message(notebook: Path, executed: Path, exc: BaseException) -> str:
    """One readable French line: notebook, cell (1-based index, first line) and the error."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        index = exc.cell_index
        try:
            import nbformat

            nb = nbformat.read(executed, as_version=4)
            injected = next(
                (i for i, c in enumerate(nb.cells) if "injected-parameters" in c.metadata.get("tags", [])),
                None,
            )
            if injected is not None and index > injected:
                index -= 1
        except Exception:  # noqa: BLE001 - the message is still useful without the mapping
            pass
        return (
            f"{notebook.name}, cellule {index + 1} « {_first_line(exc.source, 80)} » : "
            f"{exc.ename}: {_first_line(exc.evalue)}"
        )
    return f"{notebook.name} : {type(exc).__name__}: {_first_line(str(exc))}"


def execute_chapter(notebook: Path, output: Path, parameters: dict[str, Any]) -> str | None:
    """Execute one notebook with papermill into ``output``.

    Args:
        notebook: the chapter notebook (never modified).
        output: the executed notebook to write (kept, with the error, when execution fails).
        parameters: papermill parameters (already checked against the notebook).

    Returns:
        ``None`` on success, else the French failure message.
    """
    import papermill as pm

    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        pm.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            cwd=str(notebook.parent),
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
        )
    except Exception as exc:  # noqa: BLE001 - every failure becomes a French message
        return _failure_message(notebook, output, exc)
    return None


def _chapter_task(task: dict[str, Any]) -> dict[str, Any]:
    """Worker: execute one chapter, the kernel's stderr going to ``carnets/NN_….log``."""
    output = Path(task["output"])
    log = output.with_suffix(".log")
    log.parent.mkdir(parents=True, exist_ok=True)
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(log, "wb") as handle:
            os.dup2(handle.fileno(), 2)
            message = execute_chapter(Path(task["notebook"]), output, task["parameters"])
    finally:
        os.dup2(saved, 2)
        os.close(saved)
    if message is None:
        log.unlink(missing_ok=True)
    return {**task, "error": message}


# --------------------------------------------------------------------------------------------
# HTML: export, numbering, assembly (runs in a worker process)
# --------------------------------------------------------------------------------------------


def _svg_base64(svg: str) -> str:
    return base64.b64encode(_SVG_DATE_STR.sub("", svg).encode("utf-8")).decode("ascii")


def export_fragment(carnet: Path) -> str:
    """Export an executed notebook's outputs (no code) as an HTML fragment.

    Args:
        carnet: the executed notebook.

    Returns:
        The outputs and markdown cells as HTML, without script, prompt or code.
    """
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    config = Config()
    config.TemplateExporter.exclude_input = True
    config.TemplateExporter.exclude_input_prompt = True
    config.TemplateExporter.exclude_output_prompt = True
    exporter = HTMLExporter(
        config=config,
        template_name=NBCONVERT_TEMPLATE_NAME,
        extra_template_basedirs=[str(NBCONVERT_TEMPLATES)],
    )
    exporter.register_filter("svg_base64", _svg_base64)
    exporter.register_preprocessor(
        TagRemovePreprocessor(
            remove_cell_tags={"remove-cell", "remove_cell"},
            remove_all_outputs_tags={"remove-output", "remove_output"},
            enabled=True,
        ),
        enabled=True,
    )
    nb = nbformat.read(carnet, as_version=4)
    body, _ = exporter.from_notebook_node(nb)
    return body


@dataclass
class ChapterHTML:
    """A chapter's cleaned, numbered body and its sections (for the table of contents)."""

    spec: ChapterSpec
    body: str
    anchor: str
    sections: list[dict[str, str]]
    ids: dict[str, str]


_RESOURCE_ATTRS = {
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "input": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
}
_DROPPED_TAGS = ("script", "iframe", "object", "embed", "link", "meta", "base", "noscript", "frame")


def _local(url: str) -> bool:
    url = url.strip()
    return url.startswith(("data:", "#")) or url == ""


def _clean_svg_img(tag: Any) -> None:
    src = tag.get("src", "")
    prefix = "data:image/svg+xml;base64,"
    if src.startswith(prefix):
        raw = base64.b64decode(src[len(prefix):])
        cleaned = _SVG_DATE.sub(b"", raw)
        if cleaned != raw:
            tag["src"] = prefix + base64.b64encode(cleaned).decode("ascii")


_NUMBERED_SECTION = re.compile(r"^\d+\.\d+\b")


def process_chapter(fragment: str, spec: ChapterSpec) -> tuple[ChapterHTML, list[str]]:
    """Clean and number a chapter's HTML fragment (first pass; links are fixed by :func:`link_chapters`).

    - drops scripts, frames and nbconvert's heading anchors; the notebook's first ``<h1>`` is
      replaced by the chapter heading, other ``<h1>`` become ``<h2>``;
    - prefixes every id with the chapter id (``c02-…``); sections (``<h2>``) get ``c02-s1``… and,
      in numbered chapters, their number (``2.1``) unless the notebook wrote one;
    - numbers figures and tables (``Figure 2.1``, ``Tableau 2.1``) unless already numbered;
    - removes SVG dates; lists every external resource (forbidden: the report is self-contained).

    Args:
        fragment: the exported HTML fragment.
        spec: the chapter.

    Returns:
        The processed chapter and the list of problems (French), empty when fine.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(fragment, "html.parser")
    anchor = f"c{spec.id}"
    problems: list[str] = []
    for tag in soup.find_all(_DROPPED_TAGS):
        tag.decompose()
    for tag in soup.select("a.anchor-link"):
        tag.decompose()
    h1s = soup.find_all("h1")
    if h1s:
        h1s[0].decompose()
        for tag in h1s[1:]:
            tag.name = "h2"

    ids: dict[str, str] = {}
    used: set[str] = set()

    def new_id(base: str) -> str:
        candidate, n = base, 1
        while candidate in used:
            n += 1
            candidate = f"{base}-{n}"
        used.add(candidate)
        return candidate

    for k, h2 in enumerate(soup.find_all("h2"), start=1):
        old = h2.get("id")
        h2["id"] = new_id(f"{anchor}-s{k}")
        if spec.number and not _NUMBERED_SECTION.match(h2.get_text(" ", strip=True)):
            num = soup.new_tag("span", attrs={"class": "sec-num"})
            num.string = f"{spec.number}.{k}"
            h2.insert(0, " ")
            h2.insert(0, num)
        if old:
            ids.setdefault(old, h2["id"])
    for tag in soup.find_all(id=True):
        if tag.name == "h2":
            continue
        old = tag["id"]
        tag["id"] = new_id(f"{anchor}-{_ID_CHARS.sub('-', unquote(old)).strip('-') or 'x'}")
        ids.setdefault(old, tag["id"])

    number = spec.number if spec.number is not None else 0
    counters = {"Figure": 0, "Tableau": 0}
    for fig in soup.find_all("figure"):
        kind = "Tableau" if "table" in (fig.get("class") or []) else "Figure"
        counters[kind] += 1
        label = f"{kind} {number}.{counters[kind]}"
        if not fig.get("id"):
            fig["id"] = new_id(f"{anchor}-{'tab' if kind == 'Tableau' else 'fig'}-{counters[kind]}")
        caption = fig.find("figcaption")
        if caption is None:
            caption = soup.new_tag("figcaption")
            fig.insert(0 if kind == "Tableau" else len(fig.contents), caption)
        if not _NUMBERED_CAPTION.match(caption.get_text(" ", strip=True)):
            num = soup.new_tag("span", attrs={"class": "fig-num"})
            num.string = label
            caption.insert(0, " ")
            caption.insert(0, num)

    for tag in soup.find_all(True):
        if tag.name == "img":
            _clean_svg_img(tag)
        for attr in _RESOURCE_ATTRS.get(tag.name, ()):
            value = tag.get(attr)
            if value and not _local(value):
                problems.append(f"ressource externe interdite : <{tag.name} {attr}=\"{value[:80]}\">")
        style = tag.get("style", "")
        if tag.name == "style":
            style = tag.get_text()
        if "url(" in style and re.search(r"url\(\s*['\"]?(?!data:|#)", style) or "@import" in style:
            problems.append(f"ressource externe interdite dans un style CSS (<{tag.name}>)")
        for attr in list(tag.attrs):
            if attr.lower().startswith("on"):
                del tag[attr]

    for div in soup.find_all("div", class_="texte"):
        if not div.get_text(strip=True) and not div.find(True):
            div.decompose()
    sections = [{"id": h2["id"], "title": h2.get_text(" ", strip=True)} for h2 in soup.find_all("h2")]
    body = _SVG_DATE_STR.sub("", str(soup)).strip()
    where = f"{spec.notebook.name}"
    return ChapterHTML(spec, body, anchor, sections, ids), [f"{where} : {p}" for p in problems]


def link_chapters(chapters: Sequence[ChapterHTML], standalone: bool) -> list[str]:
    """Rewrite ``href="#id"`` links to the prefixed ids (second pass).

    A link resolves to its own chapter's id first, else to the one other chapter holding that id.

    Args:
        chapters: the processed chapters, in report order.
        standalone: rewriting for the per-chapter pages (links to other chapters point to their
            page, ``NN_….html#id``).

    Returns:
        One body per chapter.
    """
    from bs4 import BeautifulSoup

    owners: dict[str, list[ChapterHTML]] = {}
    for ch in chapters:
        for old in ch.ids:
            owners.setdefault(old, []).append(ch)
    bodies = []
    for ch in chapters:
        soup = BeautifulSoup(ch.body, "html.parser")
        for a in soup.find_all(href=True):
            href = a["href"]
            if not href.startswith("#") or len(href) < 2:
                continue
            target = href[1:]
            for key in (target, unquote(target)):
                if key in ch.ids:
                    a["href"] = "#" + ch.ids[key]
                    break
                other = owners.get(key, [])
                if len(other) == 1:
                    page = f"{other[0].spec.stem}.html" if standalone else ""
                    a["href"] = f"{page}#{other[0].ids[key]}"
                    break
        bodies.append(str(soup))
    return bodies


def _report_context(edition: Edition, audience: str) -> dict[str, Any]:
    from analysis import fmt
    from analysis.report import AUDIENCE_LABELS

    return {
        "title": edition.title,
        "region": edition.region,
        "year": edition.year,
        "date_text": fmt.date(edition.reference_date),
        "date_iso": edition.reference_date.isoformat(),
        "audience": audience,
        "audience_label": AUDIENCE_LABELS[audience],
        "fictional": edition.fictional,
        "fictional_notice": FICTIONAL_NOTICE,
        "author": REPORT_AUTHOR,
    }


def render_report(
    chapters: Sequence[ChapterHTML], bodies: Sequence[str], context: dict[str, Any], mode: str
) -> str:
    """Render the report template (``mode`` ``"rapport"`` or ``"chapitre"``) with inline CSS."""
    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(paths.TEMPLATES_DIR)),
        autoescape=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    css = (paths.TEMPLATES_DIR / REPORT_CSS).read_text(encoding="utf-8")
    items = [
        {
            "id": ch.spec.id,
            "anchor": ch.anchor,
            "heading": ch.spec.heading,
            "sections": ch.sections,
            "body": Markup(body),  # noqa: S704 - cleaned by process_chapter
        }
        for ch, body in zip(chapters, bodies, strict=True)
    ]
    return env.get_template(REPORT_TEMPLATE).render(
        report=context, chapters=items, css=Markup(css), mode=mode  # noqa: S704 - trusted file
    )


def write_pdf(html: str, target: Path, base: Path) -> None:
    """Print the assembled HTML to PDF with WeasyPrint (print media, A4 from the CSS)."""
    import logging

    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    weasyprint.HTML(string=html, base_url=str(base), media_type="print").write_pdf(
        str(target), uncompressed_pdf=False
    )


def assemble(folder: Path, edition: Edition, audience: str, chapters: Sequence[ChapterSpec]) -> None:
    """Write the chapter pages, ``rapport.html`` and ``rapport.pdf`` from ``folder/carnets``.

    Raises:
        BuildError: when a chapter holds an external resource.
    """
    processed, problems = [], []
    for spec in chapters:
        ch, found = process_chapter(export_fragment(folder / "carnets" / f"{spec.stem}.ipynb"), spec)
        processed.append(ch)
        problems += found
    if problems:
        raise BuildError("Le rapport ne serait pas autonome :\n- " + "\n- ".join(problems))
    context = _report_context(edition, audience)
    pages = folder / "chapitres"
    pages.mkdir(parents=True, exist_ok=True)
    for ch, body in zip(processed, link_chapters(processed, standalone=True), strict=True):
        page = render_report([ch], [body], context, mode="chapitre")
        (pages / f"{ch.spec.stem}.html").write_text(page, encoding="utf-8", newline="\n")
    report = render_report(processed, link_chapters(processed, standalone=False), context, "rapport")
    (folder / "rapport.html").write_text(report, encoding="utf-8", newline="\n")
    write_pdf(report, folder / "rapport.pdf", folder)


def _assembly_task(task: dict[str, Any]) -> dict[str, Any]:
    """In a worker: assemble the report, write the exports, scan the public edition.

    The exports and the scan run here, not in the process that drives the build, so that they
    use the workers' cores too. ``task["hooks"]`` holds the two functions to call (the module's
    ``_write_exports`` and ``_scan_public``, resolved when the task is made).

    Returns:
        The task, with ``error`` (assembly or exports failed: the reports stay out of place) and
        ``problems`` (what the public scan found; any problem keeps the report out of place).
    """
    folder = Path(task["folder"])
    write_exports, scan_public = task["hooks"]
    try:
        assemble(folder, task["edition"], task["audience"], task["chapters"])
    except BuildError as exc:
        return {**task, "error": str(exc), "problems": []}
    except Exception as exc:  # noqa: BLE001 - reported in French in the summary
        return {**task, "error": f"assemblage du rapport : {type(exc).__name__}: {_first_line(str(exc))}", "problems": []}
    try:
        write_exports(task["edition"], task["audience"], folder / "exports")
    except Exception as exc:  # noqa: BLE001 - reported in French, the previous reports stay
        return {**task, "error": f"exports impossibles : {type(exc).__name__}: {_first_line(str(exc))}", "problems": []}
    problems: list[str] = []
    if task["audience"] == "public":
        try:
            problems = list(scan_public(task["edition"], folder))
        except Exception as exc:  # noqa: BLE001 - a scanner that cannot run is a failure
            problems = [f"contrôle de l'édition publique impossible : {type(exc).__name__}: {exc}"]
    return {**task, "error": None, "problems": problems}


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass
class ChapterResult:
    """What happened to one chapter of one audience."""

    id: str
    notebook: str
    status: str
    message: str = ""
    kept: Path | None = None


@dataclass
class AudienceResult:
    """What happened to one audience of one edition."""

    edition: str
    audience: str
    folder: Path
    chapters: list[ChapterResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    assembled: bool = False
    up_to_date: bool = False
    failure_dir: Path | None = None

    @property
    def ok(self) -> bool:
        """True when the reports were moved into place (or were already up to date)."""
        return not self.errors and all(c.status != FAILED for c in self.chapters)

    def count(self, status: str) -> int:
        """Number of chapters with this status."""
        return sum(c.status == status for c in self.chapters)


@dataclass
class BuildResult:
    """All audiences of all editions built by one command."""

    audiences: list[AudienceResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every audience was built."""
        return bool(self.audiences) and all(a.ok for a in self.audiences)

    def summary(self) -> str:
        """The French end-of-build summary."""
        lines = []
        for a in self.audiences:
            head = f"{a.edition} / {a.audience} : "
            counts = (
                f"{len(a.chapters)} chapitre(s) — {a.count(BUILT)} construit(s), "
                f"{a.count(REUSED)} réutilisé(s), {a.count(FAILED)} en échec"
            )
            if a.ok:
                state = "à jour, rien à refaire" if a.up_to_date else "rapport assemblé"
                lines.append(f"{head}{counts} ; {state}.")
                lines.append(f"    → {a.folder / 'rapport.html'}")
                lines.append(f"    → {a.folder / 'rapport.pdf'}")
                continue
            lines.append(f"{head}ÉCHEC ({counts}) ; les rapports précédents sont conservés.")
            for c in a.chapters:
                if c.status == FAILED:
                    lines.append(f"    ✗ chapitre {c.id} — {c.message}")
                    if c.kept:
                        lines.append(f"      carnet exécuté conservé : {c.kept}")
            for err in a.errors:
                lines.append("    ✗ " + err.replace("\n", "\n      "))
        total = [c for a in self.audiences for c in a.chapters]
        lines.append(
            f"Total : {len(total)} chapitre(s) — {sum(c.status == BUILT for c in total)} construit(s), "
            f"{sum(c.status == REUSED for c in total)} réutilisé(s), "
            f"{sum(c.status == FAILED for c in total)} en échec."
        )
        lines.append("Construction réussie." if self.ok else "Construction en échec (voir ci-dessus).")
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Staging, manifest, atomic swap
# --------------------------------------------------------------------------------------------


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _clean_leftovers(base: Path, audience: str) -> None:
    """Remove staging folders of dead builds; restore a report left aside by a killed swap."""
    if not base.is_dir():
        return
    live = base / audience
    for kind in (".old", ".staging"):
        for folder in sorted(base.glob(f"{kind}-{audience}-*")):
            parts = folder.name.split("-")
            pid = int(parts[-2]) if len(parts) >= 2 and parts[-2].isdigit() else 0
            if pid and pid != os.getpid() and _pid_alive(pid):
                continue
            if kind == ".old" and not live.exists():
                folder.rename(live)
            else:
                shutil.rmtree(folder, ignore_errors=True)


def _swap_into_place(staging: Path, live: Path) -> None:
    """Replace ``live`` by ``staging`` with renames (the old folder is deleted last)."""
    old = live.parent / f".old-{live.name}-{os.getpid()}-{secrets.token_hex(4)}"
    if live.exists():
        live.rename(old)
    staging.rename(live)
    shutil.rmtree(old, ignore_errors=True)


def _read_manifest(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if data.get("format") == MANIFEST_FORMAT else {}


def _write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    text = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    (folder / MANIFEST_NAME).write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------------------------
# Planning and running
# --------------------------------------------------------------------------------------------


@dataclass
class _Plan:
    edition: Edition
    audience: str
    base: Path
    chapters: list[ChapterSpec]
    result: AudienceResult
    keys: dict[str, str] = field(default_factory=dict)
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    staging: Path | None = None
    to_run: list[ChapterSpec] = field(default_factory=list)
    pending: int = 0
    assembly_key: str = ""
    code: str = ""
    inputs: str = ""

    @property
    def live(self) -> Path:
        return self.base / self.audience

    @property
    def failure_dir(self) -> Path:
        return self.base / f"echec-{self.audience}"


def _prepare_tables(edition: Edition, audience: str) -> Path:
    from analysis import public

    return Path(public.prepare_audience_tables(edition, audience))


def _scan_public(edition: Edition, folder: Path) -> list[str]:
    from analysis import public

    return list(public.scan_public_artefacts(edition, folder))


def _write_exports(edition: Edition, audience: str, folder: Path) -> None:
    from analysis import export

    export.write_exports(edition, audience, folder)


def _plan(
    edition: Edition, audience: str, base: Path, chapters: list[ChapterSpec], code: str, force: bool
) -> _Plan:
    """Decide, for one audience, which chapters run and which are reused."""
    result = AudienceResult(edition.id, audience, base / audience)
    plan = _Plan(edition, audience, base, chapters, result, code=code)
    _clean_leftovers(base, audience)
    try:
        tables_dir = _prepare_tables(edition, audience)
    except Exception as exc:  # noqa: BLE001 - reported in French
        result.errors.append(
            f"préparation des tables « {audience} » impossible : {type(exc).__name__}: {_first_line(str(exc))}"
        )
        return plan
    plan.inputs = inputs_hash(edition, audience, tables_dir)
    previous = [(plan.live, _read_manifest(plan.live)), (plan.failure_dir, _read_manifest(plan.failure_dir))]
    reuse: dict[str, Path] = {}
    for spec in chapters:
        params = chapter_parameters(edition, audience, spec)
        try:
            check_parameters(spec.notebook, params)
        except BuildError as exc:
            result.chapters.append(ChapterResult(spec.id, spec.notebook.name, FAILED, str(exc)))
            continue
        key = _sha(
            spec.notebook.read_bytes(),
            json.dumps(params, sort_keys=True, ensure_ascii=False, default=str),
            plan.inputs,
            code,
            audience,
            KERNEL_NAME,
        )
        plan.keys[spec.id], plan.params[spec.id] = key, params
        for folder, manifest in previous:
            entry = manifest.get("chapters", {}).get(spec.id, {})
            carnet = folder / "carnets" / f"{spec.stem}.ipynb"
            if not force and entry.get("key") == key and entry.get("notebook") == spec.notebook.name and carnet.is_file():
                reuse[spec.id] = carnet
                break
        else:
            plan.to_run.append(spec)
    plan.assembly_key = _sha(
        json.dumps([[s.id, s.stem, s.title, plan.keys.get(s.id)] for s in chapters], ensure_ascii=False),
        code,
    )
    if any(c.status == FAILED for c in result.chapters):
        return plan
    live_manifest = previous[0][1]
    if (
        not force
        and not plan.to_run
        and all(p.parent.parent == plan.live for p in reuse.values())
        and live_manifest.get("assembly") == plan.assembly_key
        and (plan.live / "rapport.html").is_file()
        and (plan.live / "rapport.pdf").is_file()
    ):
        result.up_to_date = True
        result.chapters = [ChapterResult(s.id, s.notebook.name, REUSED) for s in chapters]
        return plan
    plan.staging = base / f".staging-{audience}-{os.getpid()}-{secrets.token_hex(4)}"
    (plan.staging / "carnets").mkdir(parents=True)
    for spec in chapters:
        if spec.id in reuse:
            shutil.copy2(reuse[spec.id], plan.staging / "carnets" / reuse[spec.id].name)
            result.chapters.append(ChapterResult(spec.id, spec.notebook.name, REUSED))
    plan.pending = len(plan.to_run)
    return plan


def _fail_plan(plan: _Plan) -> None:
    """Keep a failed build's folder for diagnosis (``echec-<audience>``), with its manifest."""
    if plan.staging is None or not plan.staging.exists():
        return
    manifest = {
        "format": MANIFEST_FORMAT,
        "edition": plan.edition.id,
        "audience": plan.audience,
        "chapters": {
            c.id: {"key": plan.keys[c.id], "notebook": c.notebook}
            for c in plan.result.chapters
            if c.status != FAILED and c.id in plan.keys
        },
    }
    _write_manifest(plan.staging, manifest)
    messages = [f"chapitre {c.id} — {c.message}" for c in plan.result.chapters if c.status == FAILED]
    (plan.staging / "ECHECS.txt").write_text("\n".join(messages + plan.result.errors) + "\n", encoding="utf-8")
    target = plan.failure_dir
    shutil.rmtree(target, ignore_errors=True)
    plan.staging.rename(target)
    plan.result.failure_dir = target
    for c in plan.result.chapters:
        if c.kept is not None:
            c.kept = target / c.kept.relative_to(plan.staging)


def _finish_plan(plan: _Plan, problems: list[str]) -> None:
    """After assembly, exports and scan (:func:`_assembly_task`): manifest, then into place.

    Args:
        plan: the audience built.
        problems: what the public scan found; any problem keeps the report out of place.
    """
    if problems:
        plan.result.errors.append(
            "contrôle de l'édition publique en échec, rapport NON publié :\n- " + "\n- ".join(problems)
        )
        _fail_plan(plan)
        return
    manifest = {
        "format": MANIFEST_FORMAT,
        "edition": plan.edition.id,
        "audience": plan.audience,
        "code": plan.code,
        "inputs": plan.inputs,
        "assembly": plan.assembly_key,
        "chapters": {
            s.id: {"key": plan.keys[s.id], "notebook": s.notebook.name, "title": s.title}
            for s in plan.chapters
        },
    }
    _write_manifest(plan.staging, manifest)
    _swap_into_place(plan.staging, plan.live)
    shutil.rmtree(plan.failure_dir, ignore_errors=True)
    plan.result.assembled = True


def build_editions(
    editions: Sequence[Edition],
    reports_root: Path | None = None,
    jobs: int | None = None,
    force: bool = False,
    audiences: Sequence[str] | None = None,
    chapters_file: Path | None = None,
    progress: bool = True,
) -> BuildResult:
    """Build the reports of several editions, every audience, chapters in parallel.

    Args:
        editions: the editions to build.
        reports_root: where ``<edition>/<audience>/`` folders go (``reports/`` by default).
        jobs: worker processes (``os.cpu_count()`` by default).
        force: execute every chapter again, ignoring the manifest.
        audiences: restrict to these audiences (default: each edition's ``audiences``).
        chapters_file: chapters list to use instead of each edition's ``chapters``.
        progress: show a progress bar on stderr.

    Returns:
        What was built, reused or failed, with a French :meth:`BuildResult.summary`.
    """
    from tqdm import tqdm

    root = Path(reports_root) if reports_root is not None else paths.reports_root()
    jobs = max(1, jobs or os.cpu_count() or 1)
    code = code_hash()
    plans: list[_Plan] = []
    for edition in editions:
        wanted = [a for a in edition.audiences if audiences is None or a in audiences]
        try:
            chapters = load_chapters(chapters_file or edition.chapters)
        except BuildError as exc:
            for audience in wanted:
                res = AudienceResult(edition.id, audience, root / edition.id / audience, errors=[str(exc)])
                plans.append(_Plan(edition, audience, root / edition.id, [], res))
            continue
        for audience in wanted:
            plans.append(_plan(edition, audience, root / edition.id, chapters, code, force))

    total = sum(len(p.chapters) for p in plans)
    bar = tqdm(total=total, desc="Chapitres", unit="chap.", file=sys.stderr, disable=not progress, leave=True)
    bar.update(sum(len(p.result.chapters) for p in plans))
    context = multiprocessing.get_context("spawn")
    # Tasks go to the pool a few at a time, a ready assembly before any waiting chapter: each
    # region's reports are finished (and moved into place) as soon as its chapters are done,
    # rather than all at the end of a long campaign. Twice as many tasks as workers are in
    # flight, so that no worker waits while this process handles a finished task.
    waiting: deque[tuple[_Plan, ChapterSpec]] = deque(
        (plan, spec) for plan in plans if plan.staging is not None for spec in plan.to_run)
    ready: deque[_Plan] = deque(plan for plan in plans if plan.staging is not None and not plan.to_run)
    try:
        with cf.ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            futures: dict[cf.Future, tuple[str, _Plan, dict[str, Any]]] = {}

            def start_assembly(plan: _Plan) -> None:
                if plan.result.ok and plan.staging is not None:
                    task = {"folder": str(plan.staging), "edition": plan.edition, "audience": plan.audience,
                            "chapters": plan.chapters, "hooks": (_write_exports, _scan_public)}
                    futures[pool.submit(_assembly_task, task)] = ("assemble", plan, task)
                else:
                    _fail_plan(plan)

            def submit_more() -> None:
                while len(futures) < 2 * jobs and (ready or waiting):
                    if ready:
                        start_assembly(ready.popleft())
                        continue
                    plan, spec = waiting.popleft()
                    task = {
                        "id": spec.id,
                        "notebook": str(spec.notebook),
                        "output": str(plan.staging / "carnets" / f"{spec.stem}.ipynb"),
                        "parameters": plan.params[spec.id],
                    }
                    futures[pool.submit(_chapter_task, task)] = ("chapter", plan, task)

            submit_more()
            while futures:
                done, _ = cf.wait(list(futures), return_when=cf.FIRST_COMPLETED)
                for fut in done:
                    kind, plan, task = futures.pop(fut)
                    try:
                        out = fut.result()
                    except Exception as exc:  # noqa: BLE001 - a worker that died
                        reason = _first_line(str(exc)) or type(exc).__name__
                        out = {**task, "error": f"processus de construction interrompu : {reason}"}
                    if kind == "chapter":
                        bar.update(1)
                        spec = next(s for s in plan.chapters if s.id == out["id"])
                        if out["error"]:
                            plan.result.chapters.append(
                                ChapterResult(spec.id, spec.notebook.name, FAILED, out["error"], Path(out["output"]))
                            )
                        else:
                            plan.result.chapters.append(ChapterResult(spec.id, spec.notebook.name, BUILT))
                        plan.pending -= 1
                        if plan.pending == 0:
                            ready.append(plan)
                    elif out["error"]:
                        plan.result.errors.append(out["error"])
                        _fail_plan(plan)
                    else:
                        _finish_plan(plan, out["problems"])
                submit_more()
    finally:
        bar.close()
        for plan in plans:
            if plan.staging is not None and plan.staging.exists() and plan.staging.name.startswith(".staging"):
                _fail_plan(plan)
    for plan in plans:
        order = {s.id: i for i, s in enumerate(plan.chapters)}
        plan.result.chapters.sort(key=lambda c: order.get(c.id, len(order)))
    return BuildResult([p.result for p in plans])


def build_edition(
    edition: Edition,
    reports_root: Path | None = None,
    jobs: int | None = None,
    force: bool = False,
    audiences: Sequence[str] | None = None,
    chapters_file: Path | None = None,
    progress: bool = True,
) -> BuildResult:
    """Build every report of one edition (see :func:`build_editions`)."""
    return build_editions([edition], reports_root, jobs, force, audiences, chapters_file, progress)


__all__ = [
    "AUDIENCES",
    "AudienceResult",
    "BuildError",
    "BuildResult",
    "ChapterResult",
    "ChapterSpec",
    "assemble",
    "build_edition",
    "build_editions",
    "check_parameters",
    "code_hash",
    "declared_parameters",
    "export_fragment",
    "inputs_hash",
    "link_chapters",
    "load_campaign",
    "load_chapters",
    "process_chapter",
]
