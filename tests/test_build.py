"""Tests of the report build (analysis.build) on tiny fixture notebooks.

The fixture notebooks (tests/fixtures/notebooks/) need no processed data: they read the edition
file and emit a heading, an SVG figure and a table. Kernels are slow to start, so the built
outputs are shared between tests (module-scoped fixtures); each test that rebuilds says why.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from analysis import build
from analysis.build import BuildError, ChapterSpec
from analysis.edition import load_edition

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"

pytestmark = pytest.mark.slow


# ------------------------------------------------------------------------------------------
# Fixtures
# ------------------------------------------------------------------------------------------


def _write_edition(folder: Path, chapters: Path) -> Path:
    (folder / "survey").mkdir(parents=True, exist_ok=True)
    (folder / "services.csv").write_text("id;name\n", encoding="utf-8")
    (folder / "dispositifs.csv").write_text("id;name\n", encoding="utf-8")
    path = folder / "essai.yaml"
    path.write_text(
        "edition: essai-build\n"
        "region: Hauts-de-France\n"
        "year: 2021\n"
        'title: "Rapport d\'essai <script>alert(1)</script>"\n'
        "reference_date: 2021-09-30\n"
        f"survey_dir: {folder / 'survey'}\n"
        f"reference: {{services: {folder / 'services.csv'}, arrangements: {folder / 'dispositifs.csv'}}}\n"
        f"chapters: {chapters}\n"
        "audiences: [interne, public]\n"
        "fictional: true\n",
        encoding="utf-8",
    )
    return path


class Env:
    """A temporary project: copied fixture notebooks, an edition file, a tables folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.notebooks = root / "notebooks"
        shutil.copytree(FIXTURES, self.notebooks)
        self.chapters = self.notebooks / "chapters.yml"
        self.edition_file = _write_edition(root, self.chapters)
        self.edition = load_edition(self.edition_file)
        self.tables = root / "tables"
        (self.tables / "public").mkdir(parents=True)
        (self.tables / "services.csv").write_text("service_id\nS1\n", encoding="utf-8")
        (self.tables / "public" / "services.csv").write_text("service_id\nS1\n", encoding="utf-8")
        self.scan_problems: list[str] = []

    def prepare(self, edition, audience):  # stands for analysis.public.prepare_audience_tables
        return self.tables if audience == "interne" else self.tables / "public"

    def scan(self, edition, folder):  # stands for analysis.public.scan_public_artefacts
        return list(self.scan_problems)

    def no_exports(self, edition, audience, folder):  # stands for analysis.export.write_exports
        return None

    def failing_exports(self, edition, audience, folder):  # an export step that breaks
        raise RuntimeError("disque plein")

    def patch(self, mp: pytest.MonkeyPatch) -> None:
        """Stand in for the public-edition and export steps (tested on real tables elsewhere).

        The scan and the exports run in the build's worker processes: the stand-ins travel with
        each task (a bound method of this object, pickled), not as patches of the workers' module.
        """
        mp.setattr(build, "_prepare_tables", self.prepare)
        mp.setattr(build, "_scan_public", self.scan)
        mp.setattr(build, "_write_exports", self.no_exports)

    def build(self, reports: Path, **kwargs) -> build.BuildResult:
        kwargs.setdefault("jobs", 2)
        kwargs.setdefault("progress", False)
        return build.build_edition(self.edition, reports_root=reports, **kwargs)

    def chapters_file(self, name: str, items: list[str]) -> Path:
        path = self.notebooks / name
        path.write_text("chapters:\n" + "".join(f"  - {i}\n" for i in items), encoding="utf-8")
        return path


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        e = Env(tmp_path_factory.mktemp("build"))
        e.patch(mp)
        # other sessions may edit the package while the tests run: freeze the code hash
        mp.setattr(build, "code_hash", lambda: "code-figé-pour-les-tests")
        yield e


@pytest.fixture(scope="module")
def first(env):
    """One clean build of both audiences (reports root A)."""
    reports = env.root / "reports-a"
    return reports, env.build(reports, force=True)


@pytest.fixture(scope="module")
def second_clean(env, first):
    """A second clean build of the interne audience into another root (B)."""
    reports = env.root / "reports-b"
    return reports, env.build(reports, force=True, audiences=["interne"])


def _html(reports: Path, audience: str = "interne") -> str:
    return (reports / "essai-build" / audience / "rapport.html").read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------------
# Pure functions (no kernel)
# ------------------------------------------------------------------------------------------


def _spec(cid: str = "03") -> ChapterSpec:
    return ChapterSpec(cid, Path(f"/x/{cid}_essai.ipynb"), "Essai")


def test_load_chapters_reports_every_problem(tmp_path):
    (tmp_path / "a.ipynb").write_text("{}", encoding="utf-8")
    path = tmp_path / "chapters.yml"
    path.write_text(
        "chapters:\n"
        "  - {id: '01', notebook: a.ipynb, title: A}\n"
        "  - {id: '01', notebook: absent.ipynb, title: B}\n"
        "  - {id: '02', notebook: a.txt}\n",
        encoding="utf-8",
    )
    with pytest.raises(BuildError) as err:
        build.load_chapters(path)
    text = str(err.value)
    assert "identifiant en double « 01 »" in text
    assert "carnet introuvable" in text and "absent.ipynb" in text
    assert "doit être un fichier .ipynb" in text


def test_the_shipped_chapters_file_lists_seven_chapters_in_order():
    data = build.yaml.safe_load((build.paths.NOTEBOOKS_DIR / "chapters.yml").read_text(encoding="utf-8"))
    ids = [c["id"] for c in data["chapters"]]
    assert ids == ["00", "01", "02", "03", "04", "05", "06"]
    assert data["chapters"][0]["notebook"] == "00_synthese.ipynb"


def _notebook(tmp_path: Path, parameter_cells: list[str]) -> Path:
    nb = nbformat.v4.new_notebook()
    for source in parameter_cells:
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["tags"] = ["parameters"]
        nb.cells.append(cell)
    nb.cells.append(nbformat.v4.new_code_cell("x = 1"))
    path = tmp_path / "carnet.ipynb"
    nbformat.write(nb, path)
    return path


def test_declared_parameters_reads_the_single_parameters_cell(tmp_path):
    path = _notebook(tmp_path, ['edition_file = "a.yaml"\naudience: str = "interne"\n'])
    assert build.declared_parameters(path) == ("edition_file", "audience")


@pytest.mark.parametrize("cells", [[], ["a = 1", "b = 2"]])
def test_declared_parameters_requires_exactly_one_parameters_cell(tmp_path, cells):
    path = _notebook(tmp_path, cells)
    with pytest.raises(BuildError, match=f"exactement une cellule étiquetée « parameters » \\(trouvé : {len(cells)}\\)"):
        build.declared_parameters(path)


def test_check_parameters_refuses_an_undeclared_parameter(tmp_path):
    path = _notebook(tmp_path, ['edition_file = "a.yaml"\naudience = "interne"'])
    build.check_parameters(path, {"edition_file": "b.yaml", "audience": "public"})
    with pytest.raises(BuildError, match="carnet.ipynb : paramètre\\(s\\) non déclaré\\(s\\).*: seuil"):
        build.check_parameters(path, {"edition_file": "b.yaml", "seuil": 3})


def test_process_chapter_numbers_figures_and_tables_and_prefixes_ids():
    fragment = (
        '<h1 id="Titre">Titre<a class="anchor-link" href="#Titre">¶</a></h1>'
        '<h2 id="Premi%C3%A8re">Première</h2><p><a href="#fig-x">voir</a></p>'
        '<figure id="fig-x"><img src="data:image/png;base64,AA==" alt="a"><figcaption>Sans numéro</figcaption></figure>'
        '<figure class="table"><figcaption><span>Tableau 3.1</span> Déjà numéroté</figcaption><table></table></figure>'
        '<figure><img src="data:image/png;base64,AA==" alt="b"></figure>'
        '<script>alert(1)</script><p onclick="x()">texte</p>'
    )
    ch, problems = build.process_chapter(fragment, _spec("03"))
    soup = BeautifulSoup(ch.body, "html.parser")
    assert problems == []
    assert soup.find("h1") is None and soup.find("script") is None
    assert soup.find("a", class_="anchor-link") is None
    assert soup.find("p", string="texte").attrs == {}
    assert ch.sections == [{"id": "c03-s1", "title": "3.1 Première"}]
    captions = [f.find("figcaption").get_text(" ", strip=True) for f in soup.find_all("figure")]
    assert captions == ["Figure 3.1 Sans numéro", "Tableau 3.1 Déjà numéroté", "Figure 3.2"]
    assert [f["id"] for f in soup.find_all("figure")] == ["c03-fig-x", "c03-tab-1", "c03-fig-2"]
    assert ch.ids["fig-x"] == "c03-fig-x"


def test_sections_are_numbered_in_numbered_chapters_only():
    body = '<h2>Méthode</h2><h2>4.2 Déjà numérotée</h2><h2>Suite</h2>'
    ch, _ = build.process_chapter(body, _spec("04"))
    assert [s["title"] for s in ch.sections] == ["4.1 Méthode", "4.2 Déjà numérotée", "4.3 Suite"]
    synthesis, _ = build.process_chapter(body, _spec("00"))
    assert [s["title"] for s in synthesis.sections] == ["Méthode", "4.2 Déjà numérotée", "Suite"]


def test_link_chapters_resolves_own_then_other_chapter_ids():
    a, _ = build.process_chapter('<figure id="f"><figcaption>A</figcaption></figure><a href="#f">a</a>', _spec("01"))
    b, _ = build.process_chapter('<figure id="f"><figcaption>B</figcaption></figure><a href="#f">b</a>', _spec("02"))
    c, _ = build.process_chapter('<figure id="g"></figure><a href="#f">ambigu</a><a href="#g">g</a>', _spec("03"))
    d, _ = build.process_chapter('<a href="#g">vers 3</a>', _spec("04"))
    bodies = build.link_chapters([a, b, c, d], standalone=False)
    hrefs = [[x["href"] for x in BeautifulSoup(body, "html.parser").find_all("a")] for body in bodies]
    assert hrefs == [["#c01-f"], ["#c02-f"], ["#f", "#c03-g"], ["#c03-g"]]
    standalone = build.link_chapters([c, d], standalone=True)
    assert 'href="03_essai.html#c03-g"' in standalone[1]


def test_process_chapter_lists_external_resources_and_strips_svg_dates():
    import base64

    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><metadata><dc:date>2024-01-01T10:00</dc:date></metadata></svg>'
    fragment = (
        f'<img src="data:image/svg+xml;base64,{base64.b64encode(svg).decode()}" alt="">'
        '<img src="https://cdn.example.org/x.png" alt="">'
        '<div style="background: url(http://example.org/a.png)">x</div>'
        '<a href="https://www.data.gouv.fr">un lien reste permis</a>'
    )
    ch, problems = build.process_chapter(fragment, _spec())
    assert len(problems) == 2
    assert "03_essai.ipynb : ressource externe interdite : <img src=\"https://cdn.example.org/x.png\">" in problems
    img = BeautifulSoup(ch.body, "html.parser").find("img")
    assert b"dc:date" not in base64.b64decode(img["src"].split(",", 1)[1])


def test_leftover_staging_is_removed_and_a_report_set_aside_is_restored(tmp_path):
    base = tmp_path / "essai"
    (base / ".staging-interne-999999999-abcd").mkdir(parents=True)
    (base / ".old-interne-999999999-ef01" / "chapitres").mkdir(parents=True)
    build._clean_leftovers(base, "interne")
    assert sorted(p.name for p in base.iterdir()) == ["interne"]
    assert (base / "interne" / "chapitres").is_dir()


def test_load_campaign_lists_edition_files(tmp_path):
    path = tmp_path / "campagne.yml"
    path.write_text("editions: [config/a.yaml, config/b.yaml]\n", encoding="utf-8")
    assert [p.name for p in build.load_campaign(path)] == ["a.yaml", "b.yaml"]
    path.write_text("editions: []\n", encoding="utf-8")
    with pytest.raises(BuildError, match="editions"):
        build.load_campaign(path)


# ------------------------------------------------------------------------------------------
# Whole builds (kernels)
# ------------------------------------------------------------------------------------------


def test_first_build_writes_every_output(first):
    reports, result = first
    assert result.ok, result.summary()
    for audience in ("interne", "public"):
        folder = reports / "essai-build" / audience
        assert sorted(p.name for p in (folder / "carnets").iterdir()) == ["01_premier.ipynb", "02_tableau.ipynb"]
        assert sorted(p.name for p in (folder / "chapitres").iterdir()) == ["01_premier.html", "02_tableau.html"]
        assert (folder / "rapport.html").is_file() and (folder / "rapport.pdf").is_file()
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert sorted(manifest["chapters"]) == ["01", "02"]
    assert [(c.id, c.status) for a in result.audiences for c in a.chapters] == [
        ("01", "construit"), ("02", "construit"), ("01", "construit"), ("02", "construit")
    ]
    assert not list((reports / "essai-build").glob(".staging-*"))
    assert "2 construit(s), 0 réutilisé(s), 0 en échec" in result.summary()


def test_report_has_cover_toc_numbering_and_no_code(first):
    reports, _ = first
    html = _html(reports)
    soup = BeautifulSoup(html, "html.parser")
    cover = soup.find(id="couverture").get_text(" ", strip=True)
    assert "Rapport d'essai <script>alert(1)</script>" in cover  # the title is escaped, shown as text
    assert "<script" not in html
    assert "30 septembre 2021" in cover and "Hauts-de-France" in cover and "2021" in cover
    assert "Diffusion interne — ne pas diffuser" in cover
    assert "Données fictives : ce rapport est produit sur un échantillon d'enquête fictif" in cover
    assert "Édition publique" in _html(reports, "public")
    toc = [a["href"] for a in soup.find(id="sommaire").find_all("a")]
    assert toc == ["#c01", "#c01-s1", "#c01-s2", "#c02", "#c02-s1"]
    assert all(soup.find(id=h[1:]) is not None for h in toc)
    ids = [t["id"] for t in soup.find_all(id=True)]
    assert len(ids) == len(set(ids))
    captions = [f.find("figcaption").get_text(" ", strip=True) for f in soup.find_all("figure")]
    assert captions == ["Figure 1.1 Origine des catégories", "Tableau 2.1 Services répondants"]
    # the chapter 2 link to chapter 1's figure is rewritten to the prefixed id
    assert soup.find("a", string="figure du chapitre 1")["href"] == "#c01-fig-a"
    # code is hidden: no source line of the notebooks reaches the HTML
    assert "load_edition" not in html and "savefig" not in html and "sortie texte" in html
    assert "Édition 2021 — Hauts-de-France — audience interne" in html
    assert re.search(r"<link|<script|src=\"http|@import", html) is None


def test_rebuild_with_nothing_changed_reuses_everything(env, first):
    reports, _ = first
    before = (reports / "essai-build" / "interne" / "rapport.pdf").stat().st_mtime_ns
    result = env.build(reports)
    assert result.ok
    assert all(a.up_to_date for a in result.audiences)
    assert {c.status for a in result.audiences for c in a.chapters} == {"réutilisé"}
    assert (reports / "essai-build" / "interne" / "rapport.pdf").stat().st_mtime_ns == before


def test_changed_notebook_is_the_only_one_executed_again(env, first):
    reports, _ = first
    nb_path = env.notebooks / "02_tableau.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    nb.metadata["modifié"] = "pour le test"
    nbformat.write(nb, nb_path)
    result = env.build(reports, audiences=["interne"])
    assert result.ok, result.summary()
    assert [(c.id, c.status) for c in result.audiences[0].chapters] == [("01", "réutilisé"), ("02", "construit")]
    assert not result.audiences[0].up_to_date


def test_failing_chapter_is_reported_and_previous_reports_stay(env, first):
    reports, _ = first
    live = reports / "essai-build" / "interne"
    before = (live / "rapport.html").read_bytes()
    chapters = env.chapters_file(
        "avec-echec.yml",
        [
            "{id: '01', notebook: 01_premier.ipynb, title: Premier}",
            "{id: '03', notebook: 03_echec.ipynb, title: Échec}",
            "{id: '02', notebook: 02_tableau.ipynb, title: Deuxième}",
        ],
    )
    result = env.build(reports, audiences=["interne"], chapters_file=chapters)
    assert not result.ok
    statuses = {c.id: c.status for c in result.audiences[0].chapters}
    assert statuses["03"] == "échec" and statuses["01"] != "échec" and statuses["02"] != "échec"
    failed = next(c for c in result.audiences[0].chapters if c.id == "03")
    # cell 4 of the notebook (1-based, the injected parameters cell not counted)
    assert failed.message == (
        '03_echec.ipynb, cellule 4 « raise ValueError(f"valeur impossible : {41 + x}") » : '
        "ValueError: valeur impossible : 42"
    )
    assert failed.kept == reports / "essai-build" / "echec-interne" / "carnets" / "03_echec.ipynb"
    assert failed.kept.is_file()
    summary = result.summary()
    assert "ÉCHEC" in summary and "03_echec.ipynb, cellule 4" in summary and "Traceback" not in summary
    assert (live / "rapport.html").read_bytes() == before
    assert not list((reports / "essai-build").glob(".staging-*"))


def test_undeclared_parameter_fails_the_chapter_before_execution(env, first):
    reports, _ = first
    chapters = env.chapters_file(
        "parametre-inconnu.yml", ["{id: '01', notebook: 01_premier.ipynb, title: Premier, parameters: {seuil: 3}}"]
    )
    result = env.build(reports, audiences=["interne"], chapters_file=chapters)
    assert not result.ok
    (chapter,) = result.audiences[0].chapters
    assert chapter.status == "échec"
    assert "01_premier.ipynb : paramètre(s) non déclaré(s)" in chapter.message and "seuil" in chapter.message


def test_public_scanner_problem_keeps_the_report_out_of_place(env, first):
    reports, _ = first
    live = reports / "essai-build" / "public"
    before = (live / "rapport.html").read_bytes()
    env.scan_problems = ["rapport.html : « Jean Dupont » (référent, donnée personnelle)"]
    try:
        result = env.build(reports, audiences=["public"], force=True)
    finally:
        env.scan_problems = []
    assert not result.ok
    assert "Jean Dupont" in result.summary() and "NON publié" in result.summary()
    assert (live / "rapport.html").read_bytes() == before
    assert result.audiences[0].failure_dir == reports / "essai-build" / "echec-public"


def test_two_clean_builds_give_byte_identical_html(first, second_clean):
    a, b = first[0] / "essai-build" / "interne", second_clean[0] / "essai-build" / "interne"
    assert second_clean[1].ok
    names = ["rapport.html", "chapitres/01_premier.html", "chapitres/02_tableau.html"]
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    html = (a / "rapport.html").read_text(encoding="utf-8")
    assert "dc:date" not in html


def test_pdf_has_cover_toc_with_page_numbers_and_fixed_dates(first):
    from pypdf import PdfReader

    reports, _ = first
    reader = PdfReader(reports / "essai-build" / "interne" / "rapport.pdf")
    texts = [p.extract_text() for p in reader.pages]
    assert len(texts) >= 4  # cover, table of contents, one page per chapter
    assert "30 septembre 2021" in texts[0]
    chapter1 = next(i for i, t in enumerate(texts) if t.lstrip().startswith("1. Premier chapitre")) + 1
    chapter2 = next(i for i, t in enumerate(texts) if t.lstrip().startswith("2. Deuxième chapitre")) + 1
    assert re.search(rf"1\. Premier chapitre[ .]*{chapter1}\b", texts[1])
    assert re.search(rf"2\. Deuxième chapitre[ .]*{chapter2}\b", texts[1])
    assert f"page {chapter2} / {len(texts)}" in texts[chapter2 - 1]
    assert "Diffusion interne — ne pas diffuser" in texts[chapter2 - 1]  # running header
    assert reader.metadata["/CreationDate"].startswith("D:20210930")



def test_an_audience_is_finished_as_soon_as_its_chapters_are_done(env):
    # One worker, interne then public (two chapters each): the interne report is assembled and
    # moved into place before the public edition's last chapter runs, not after every chapter
    # of the command (a long campaign delivers its regions one by one).
    reports = env.root / "reports-ordre"
    result = env.build(reports, force=True, jobs=1)
    assert result.ok, result.summary()
    interne = (reports / "essai-build" / "interne" / "rapport.html").stat().st_mtime_ns
    last_public_chapter = (reports / "essai-build" / "public" / "carnets" / "02_tableau.ipynb").stat().st_mtime_ns
    assert interne < last_public_chapter


def test_failing_exports_keep_the_previous_reports(env, monkeypatch):
    reports = env.root / "reports-exports"
    assert env.build(reports, force=True, audiences=["interne"]).ok
    before = (reports / "essai-build" / "interne" / "rapport.html").read_bytes()
    monkeypatch.setattr(build, "_write_exports", env.failing_exports)  # runs in the workers
    result = env.build(reports, force=True, audiences=["interne"])
    assert not result.ok
    assert "exports impossibles : RuntimeError: disque plein" in result.summary()
    assert (reports / "essai-build" / "interne" / "rapport.html").read_bytes() == before
