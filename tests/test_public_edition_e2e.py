"""End to end: the public edition of a real build holds none of the protected values.

The canary edition (``hostile_edition``) plants a unique marker in every protected field, is
ingested and built with the project's real chapter notebooks (both audiences), then every file of
each edition is searched: each marker must appear in the internal edition and in no public
artefact (executed notebooks, chapter pages, ``rapport.html`` with its SVG figures, the PDF's
text, the CSV / JSON / JSON-LD / Turtle / XLSX exports). The same build is opened in headless
Chromium to check that hostile texts show as text and run nothing.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hostile_edition import (
    CANARIES,
    EDITION_ID,
    HOSTILE_TEXTS,
    XSS_ARRANGEMENT,
    XSS_TITLE,
    XSS_TOOL,
    built_edition,
)

from analysis import build, public
from analysis.report import AUDIENCE_LABELS

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


def _norm(text: str) -> str:
    """Whitespace-, dot-, hyphen- and case-insensitive form (phones are compared on their digits)."""
    return re.sub(r"[\s.\-\u00ad‐‑]+", "", text).casefold()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return built_edition(tmp_path_factory)


@pytest.fixture(scope="module")
def texts(built):
    """audience -> {relative path: normalised searchable text} for every file of the build."""
    out = {}
    for audience in ("interne", "public"):
        folder = built.audience(audience)
        out[audience] = {
            p.relative_to(folder).as_posix(): _norm(public.artefact_text(p))
            for p in sorted(folder.rglob("*")) if p.is_file()
        }
    return out


def test_both_editions_are_built_and_the_public_scan_is_clean(built):
    assert built.result.ok, built.result.summary()
    for audience in ("interne", "public"):
        folder = built.audience(audience)
        for name in ("rapport.html", "rapport.pdf", "exports/inventaire.xlsx", "exports/catalogue-dcat.ttl",
                     "exports/catalogue-dcat.jsonld", "exports/indicateurs.json",
                     "exports/repertoire/repertoire-region.csv"):
            assert (folder / name).is_file(), f"{audience}/{name}"
        assert len(list((folder / "carnets").glob("*.ipynb"))) == 7
    assert not (built.reports / "echec-public").exists()
    # the scanner, run again on the public build, finds nothing
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ANALYSIS_PROCESSED_DIR", str(built.root / "processed"))
        assert public.scan_public_artefacts(built.edition, built.audience("public")) == []


def test_the_build_covers_every_kind_of_public_artefact(texts):
    suffixes = {Path(p).suffix for p in texts["public"]}
    assert {".ipynb", ".html", ".pdf", ".csv", ".json", ".jsonld", ".ttl", ".xlsx"} <= suffixes
    empty = [p for p, t in texts["public"].items() if not t and not p.endswith(".log")]
    assert empty == []  # every artefact has a searchable text (none silently skipped)


@pytest.mark.parametrize("field", list(CANARIES))
def test_each_canary_reaches_the_internal_edition_and_no_public_artefact(texts, field):
    marker = _norm(CANARIES[field])
    internal = [p for p, t in texts["interne"].items() if marker in t]
    leaked = [p for p, t in texts["public"].items() if marker in t]
    assert internal, f"{field}: marker absent from the internal edition (the canary proves nothing)"
    assert leaked == [], f"{field} « {CANARIES[field]} » leaked into the public edition: {leaked}"


def test_embedded_svg_figures_are_decoded_and_searched(built):
    html = (built.audience("interne") / "rapport.html").read_text(encoding="utf-8")
    assert "data:image/svg+xml;base64," in html
    text = public.artefact_text(built.audience("interne") / "rapport.html")
    assert "<svg" in text  # the decoded figures are part of the searched text


def test_public_chapters_read_a_filtered_copy(built):
    folder = built.root / "processed" / EDITION_ID / "public"
    assert (folder / "categories.parquet").is_file()
    dumped = _norm("\n".join(public.artefact_text(p) for p in sorted(folder.rglob("*")) if p.is_file()))
    leaked = [f for f, m in CANARIES.items() if _norm(m) in dumped]
    assert leaked == []


@pytest.mark.parametrize("audience", ["interne", "public"])
def test_every_page_says_which_edition_it_is(built, audience):
    from bs4 import BeautifulSoup
    from pypdf import PdfReader

    label = AUDIENCE_LABELS[audience]
    other = AUDIENCE_LABELS["public" if audience == "interne" else "interne"]
    folder = built.audience(audience)
    pages = [folder / "rapport.html", *sorted((folder / "chapitres").glob("*.html"))]
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        assert soup.select_one(".bandeau-audience").get_text(strip=True) == label, page.name
        assert other not in soup.get_text(), page.name
    cover = BeautifulSoup((folder / "rapport.html").read_text(encoding="utf-8"), "html.parser")
    assert cover.select_one(".couverture-audience").get_text(strip=True) == label
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext absent (paquet Debian « poppler-utils ») : pypdf lit mal le texte du PDF")
    pages = public.pdf_text(folder / "rapport.pdf").rstrip("\f").split("\f")  # one form feed per page
    assert len(pages) == len(PdfReader(str(folder / "rapport.pdf")).pages) > 3
    assert _norm(label) in _norm(pages[0])  # the cover
    missing = [i + 1 for i, text in enumerate(pages) if _norm(label) not in _norm(text)]
    assert missing == [], f"pages without « {label} »: {missing}"


# ---------------------------------------------------------------------------------------------
# Defence in depth: a filter that leaks is caught by the scanner, the previous report stays
# ---------------------------------------------------------------------------------------------


def test_scanner_refuses_a_public_build_fed_by_a_leaking_filter(built, tmp_path):
    reports = tmp_path / "reports"
    shutil.copytree(built.audience("public"), reports / EDITION_ID / "public")
    before = (reports / EDITION_ID / "public" / "rapport.html").read_bytes()
    chapters = tmp_path / "chapitres.yml"
    chapters.write_text(
        f"chapters:\n  - {{id: \"00\", notebook: {build.paths.NOTEBOOKS_DIR / '00_synthese.ipynb'}, title: Synthèse}}\n",
        encoding="utf-8",
    )
    real = public.public_tables
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ANALYSIS_PROCESSED_DIR", str(built.root / "processed"))
        mp.setattr(public, "public_tables", lambda tables: tables)  # the worst bug: no filter at all
        result = build.build_edition(built.edition, reports_root=reports, jobs=1, audiences=["public"],
                                     chapters_file=chapters, progress=False)
        mp.setattr(public, "public_tables", real)
        public.prepare_audience_tables(built.edition, "public")  # restore the filtered copy
    assert not result.ok
    message = result.summary()
    assert "contrôle de l'édition publique en échec, rapport NON publié" in message
    assert "exports/inventaire.xlsx contient une valeur protégée du champ services.referent_email" in message
    assert "categories.title (« CANARI-TITRE-R-7F3A »)" in message
    assert (reports / EDITION_ID / "public" / "rapport.html").read_bytes() == before
    assert (reports / EDITION_ID / "echec-public").is_dir()


def test_scanner_names_the_artefact_and_the_field_of_a_planted_value(built, tmp_path):
    folder = tmp_path / "public"
    shutil.copytree(built.audience("public"), folder)
    page = folder / "chapitres" / "02_inventaire_donnees.html"
    page.write_text(page.read_text(encoding="utf-8") + "<p>CANARI-FOURN-N-7F3A</p>", encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ANALYSIS_PROCESSED_DIR", str(built.root / "processed"))
        problems = public.scan_public_artefacts(built.edition, folder)
    assert problems == [
        "chapitres/02_inventaire_donnees.html contient une valeur protégée du champ categories.supplier "
        "(« CANARI-FOURN-N-7F3A »)"
    ]


# ---------------------------------------------------------------------------------------------
# Hostile texts in headless Chromium
# ---------------------------------------------------------------------------------------------


def _open_in_chromium(path: Path) -> dict:
    from playwright.sync_api import sync_playwright

    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(java_script_enabled=True)
            context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file://", "data:")) else r.abort())
            page = context.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(path.as_uri(), wait_until="load")
            page.wait_for_timeout(300)
            # click every link: a javascript: URL would run now
            page.eval_on_selector_all("a[href]", "els => els.forEach(a => { try { a.click(); } catch (e) {} })")
            page.wait_for_timeout(200)
            seen = {
                "dialogs": dialogs,
                "xss": page.evaluate("() => window.__xss === undefined ? null : String(window.__xss)"),
                "scripts": page.eval_on_selector_all("script", "els => els.length"),
                "handlers": page.evaluate(
                    "() => [...document.querySelectorAll('*')].flatMap(e => [...e.attributes]"
                    ".filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name))"
                ),
                "js_links": page.eval_on_selector_all(
                    "[href], [src]", "els => els.map(e => e.getAttribute('href') || e.getAttribute('src'))"
                    ".filter(u => /^\\s*javascript:/i.test(u))"
                ),
                "text": page.inner_text("body"),
            }
        finally:
            browser.close()
    return seen


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium absent (/usr/bin/chromium) : paquet Debian « chromium » requis")
@pytest.mark.parametrize("audience", ["interne", "public"])
def test_hostile_texts_show_as_text_and_run_nothing(built, audience):
    seen = _open_in_chromium(built.audience(audience) / "rapport.html")
    assert seen["dialogs"] == []
    assert seen["xss"] is None
    assert seen["scripts"] == 0
    assert seen["handlers"] == []
    assert seen["js_links"] == []
    text = seen["text"]
    for hostile in (XSS_TITLE, XSS_TOOL):
        assert hostile in text, hostile
    assert "**gras**" in text  # Markdown from the data is not interpreted
    shown = [h for h in HOSTILE_TEXTS if h in text]
    assert len(shown) >= 4, shown
    if audience == "interne":
        assert XSS_ARRANGEMENT in text or XSS_ARRANGEMENT.strip() in text
