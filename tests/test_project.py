"""Promises of the project layout: dependencies, notebooks, README, command line."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tomllib

import pytest
import yaml
from packaging.requirements import Requirement

from analysis import paths

NOTEBOOKS = sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb"))


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((paths.PROJ_ROOT / "pyproject.toml").read_text())["project"]
    pyproject = {
        _norm(Requirement(d).name): str(Requirement(d).specifier)
        for d in project["dependencies"] + project["optional-dependencies"]["dev"]
    }
    env = yaml.safe_load((paths.PROJ_ROOT / "environment.yml").read_text())
    conda = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and not re.match(r"^(python|pip)\b(?![-_])", dep):
            req = Requirement(dep)
            conda[_norm(req.name)] = str(req.specifier)
    assert conda == pyproject


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_committed_without_outputs(nb_path):
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{nb_path.name}: cell with outputs"
            assert cell.get("execution_count") is None, f"{nb_path.name}: cell with an execution count"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_has_one_parameters_cell_with_working_defaults_and_no_definitions(nb_path):
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    code_cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    tagged = [c for c in code_cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{nb_path.name}: {len(tagged)} parameters cells"
    params = {}
    for node in ast.parse("".join(tagged[0]["source"])).body:
        assert isinstance(node, ast.Assign), "the parameters cell only assigns values"
        params[node.targets[0].id] = ast.literal_eval(node.value)
    assert set(params) == {"edition_file", "audience"}
    assert (paths.PROJ_ROOT / params["edition_file"]).is_file()
    assert params["audience"] == "interne"
    for cell in code_cells:
        tree = ast.parse("".join(cell["source"]))
        defs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef | ast.Lambda)]
        assert not defs, f"{nb_path.name}: logic defined in a notebook belongs in src/analysis"


def test_readme_starts_with_the_two_commands():
    text = (paths.PROJ_ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:bash|sh)?\n(.*?)```", text, flags=re.S)
    assert blocks, "README has no command block"
    assert blocks[0].split() == ["make", "report", "make", "test"]


def test_make_help_lists_the_main_targets():
    out = subprocess.run(["make", "-s", "help"], cwd=paths.PROJ_ROOT, capture_output=True, text=True, check=True)
    for target in ("report", "test", "lab", "template", "help"):
        assert f"make {target}" in out.stdout


@pytest.mark.parametrize("command", [[], ["template"], ["ingest"], ["sample"], ["build"], ["export"], ["summary"]])
def test_cli_help_is_in_french(command):
    out = subprocess.run(
        [sys.executable, "-m", "analysis", *command, "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert out.startswith("Utilisation : ")
    assert "Affiche cette aide et quitte." in out
    assert "Show this message" not in out and "Usage:" not in out
    if not command:
        for name in ("template", "ingest", "sample", "build", "export", "summary"):
            assert name in out
    assert "[default:" not in out


@pytest.mark.parametrize(("args", "expected"), [
    (["build", "surplus"], "Erreur : argument(s) inattendu(s) : surplus"),
    (["build", "--jobs", "x"], "Erreur : valeur invalide pour '--jobs' / '-j' : un nombre entier est attendu"),
    (["build", "--inconnue"], "Erreur : option inconnue : --inconnue"),
    (["build", "--edition"], "Erreur : l'option '--edition' attend une valeur."),
    (["nope"], "Erreur : Commande inconnue : 'nope'."),
])
def test_cli_usage_errors_are_in_french(args, expected):
    proc = subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True)
    assert proc.returncode == 2
    assert expected in proc.stderr
    assert "Error" not in proc.stderr and "Try '" not in proc.stderr and "Traceback" not in proc.stderr


def test_unknown_error_texts_are_left_as_they_are():
    from analysis.cli_fr import french_error

    assert french_error("Something new") == "Something new"
    assert french_error("Invalid value for '-x': Input should be 'a' or 'b'") == \
        "valeur invalide pour '-x' : valeurs possibles : 'a' ou 'b'"
