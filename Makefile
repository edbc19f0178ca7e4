# Stratégie de la donnée de l'État en région — commandes du projet.
# « make help » liste les cibles. Les cibles créent l'environnement .venv à la demande.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
EDITION ?= config/hauts-de-france-2021.yaml
PREVIOUS ?= config/hauts-de-france-2019.yaml
JOBS ?=

.DEFAULT_GOAL := help
.PHONY: help setup report ingest build export template lab test test-fast lint sample clean-outputs

help: ## Liste les cibles disponibles
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

setup: $(STAMP) ## Crée l'environnement Python .venv et installe les dépendances

ingest: $(STAMP) ## Lit et nettoie les réponses (éditions 2019 et 2021 de l'échantillon)
	$(PY) -m analysis ingest --edition $(PREVIOUS)
	$(PY) -m analysis ingest --edition $(EDITION)

report: ingest ## Construit tous les rapports (HTML et PDF, éditions interne et publique)
	$(PY) -m analysis build --edition $(EDITION) $(if $(JOBS),--jobs $(JOBS),)

template: $(STAMP) ## Écrit le questionnaire Excel vierge dans reports/questionnaire.xlsx
	$(PY) -m analysis template --edition $(EDITION) --out reports/questionnaire.xlsx

sample: $(STAMP) ## Régénère les réponses fictives de l'échantillon dans data/raw/
	$(PY) -m analysis sample

lab: $(STAMP) ## Ouvre JupyterLab sur les carnets
	$(VENV)/bin/jupyter lab notebooks/

test: $(STAMP) ## Lance toute la suite de tests
	$(PY) -m pytest -n auto --dist loadfile

lint: $(STAMP) ## Vérifie le style du code (ruff)
	$(VENV)/bin/ruff check src tests

clean-outputs: ## Supprime les sorties jetables (data/processed, reports)
	rm -rf data/processed/* reports/*
