"""Progress axes: rules evaluated on the data, prioritised findings, analysts' recommendations, comparison.

The rules live in ``config/regles.yaml`` (``Edition.rules``); each names a detector of
:mod:`analysis.rules`, its parameters, a condition on the detector's indicators, its priority
inputs, its axis, owner, horizon and French text templates. The analysts' own recommendations
live in a YAML file named by the edition (``recommendations:``).

Public API (used by the progress-axes chapter and the synthesis):

- ``evaluate(edition, tables, previous_tables=None) -> list[Finding]``: every fired rule and every
  analysts' recommendation, grouped by axis and ordered by priority;
- ``evaluate_rules(edition, tables, previous_tables=None, rules_path=None) -> RuleRun``: the
  fired findings plus the status of every rule (fired / not fired / not evaluable);
- ``recommendations_table(findings) -> DataFrame``: French columns, ordered by axis then priority;
- ``top(findings, n=5) -> list[Finding]``: the highest priorities, all axes together;
- ``compare_findings(current, previous) -> DataFrame``: status of each finding between two
  editions (« résolu », « persistant », « nouveau »);
- ``compare_indicators(edition, tables, previous_edition, previous_tables) -> DataFrame``: per
  region and per service, open-by-default gap, share published, pooled purchases, maturity per
  dimension; both years and the change;
- ``load_analyst_recommendations(path) -> list[Finding]`` (French error on a malformed file);
- ``priority_formula(rules_path=None) -> dict``: the formula and bands shown in the report;
- display helpers: ``findings_html(findings)``, ``rules_status_table(run)``,
  ``indicators_display(cmp)``, ``evolution_figure(cmp, indicator)``.

A :class:`Finding` has: rule_id, axis, axis_label, title, text, priority, impact, ease, owner,
horizon, evidence (DataFrame with service_id / row_id / arrangement_id / label), services (ids),
source (« règle » or « analyste »), plus recommendation, count, priority_label, service_names,
breakdown.
"""

from __future__ import annotations

import re
import string
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import yaml
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from analysis import fmt, model, paths, rules
from analysis import indicators as ind
from analysis.report import PALETTE, esc
from analysis.tables import Tables

# ---------------------------------------------------------------------------------------------
# Vocabularies of the progress axes (report-side, defined once here)
# ---------------------------------------------------------------------------------------------

AXIS = model.Vocabulary("axis", "Axe", (
    model.Term("politique_integree", "Politique intégrée de la donnée"),
    model.Term("synergie", "Synergie entre services et opérateurs"),
    model.Term("valorisation", "Valorisation des données"),
))
OWNER = model.Vocabulary("owner", "Porteur", (
    model.Term("regional", "niveau régional", ("niveau régional", "région", "regional")),
    model.Term("service", "service", ("services",)),
    model.Term("arrangement", "dispositif", ("dispositif", "dispositifs")),
))
HORIZON = model.Vocabulary("horizon", "Échéance", (
    model.Term("short", "court terme (< 6 mois)", ("court terme", "court")),
    model.Term("medium", "moyen terme (6-18 mois)", ("moyen terme", "moyen")),
    model.Term("long", "long terme", ("long terme",)),
))
SOURCE_RULE = "règle"
SOURCE_ANALYST = "analyste"
ANALYST_MARK = "Recommandation des analystes"
STATUS = ("persistant", "nouveau", "résolu")

DEFAULT_BANDS = [{"min": 15, "label": "haute"}, {"min": 8, "label": "moyenne"}, {"min": 1, "label": "basse"}]


class RulesError(ValueError):
    """A rules or recommendations file that cannot be used; the message is in French."""


@dataclass
class Finding:
    """One finding (a fired rule or an analysts' recommendation) and its recommendation."""

    rule_id: str
    axis: str
    axis_label: str
    title: str
    text: str
    priority: int
    impact: int
    ease: int
    owner: str
    horizon: str
    evidence: pd.DataFrame = field(repr=False)
    services: list[str]
    source: str = SOURCE_RULE
    recommendation: str = ""
    count: int = 0
    priority_label: str = ""
    service_names: list[str] = field(default_factory=list)
    breakdown: str = ""


@dataclass
class RuleRun:
    """The result of evaluating a rules file: findings and the status of every rule."""

    findings: list[Finding]
    status: pd.DataFrame


# ---------------------------------------------------------------------------------------------
# Loading and validating the rules file
# ---------------------------------------------------------------------------------------------


def _vocab_code(vocab: model.Vocabulary, value: Any, where: str, errors: list[str]) -> str | None:
    """Accept a code, a label or a synonym of a report vocabulary; record a French error otherwise."""
    text = str(value).strip() if value is not None else ""
    for t in vocab.terms:
        if text.lower() in {t.code.lower(), t.label.lower(), *(s.lower() for s in t.synonyms)}:
            return t.code
    errors.append(f"{where} : « {vocab.label.lower()} » invalide ({value!r} ; attendus : "
                  f"{', '.join(vocab.codes)})")
    return None


def _read_yaml(path: Path, what: str) -> Any:
    if not Path(path).is_file():
        raise RulesError(f"Fichier {what} introuvable : {path}")
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RulesError(f"{Path(path).name} : YAML illisible ({exc})") from exc


def _check_level(value: Any, where: str, name: str, errors: list[str]) -> None:
    if not (isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5):
        errors.append(f"{where} : « {name} » doit être un entier de 1 à 5 (reçu : {value!r})")


def load_rules(path: str | Path | None = None) -> dict[str, Any]:
    """Read and validate the rules file.

    Args:
        path: the YAML file (``config/regles.yaml`` by default).

    Returns:
        ``{"priority": {...}, "rules": [rule dicts with owner/horizon as codes]}``.

    Raises:
        RulesError: listing every problem in French.
    """
    path = Path(path) if path else paths.CONFIG_DIR / "regles.yaml"
    data = _read_yaml(path, "de règles")
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise RulesError(f"{path.name} : une liste « rules » est attendue.")
    errors: list[str] = []
    seen: set[str] = set()
    out = []
    for i, raw in enumerate(data["rules"], 1):
        where = f"règle n° {i}"
        if not isinstance(raw, dict):
            errors.append(f"{where} : un dictionnaire est attendu")
            continue
        rule = dict(raw)
        rid = rule.get("id")
        where = f"règle « {rid or i} »"
        if not rid:
            errors.append(f"{where} : « id » obligatoire")
        elif rid in seen:
            errors.append(f"{where} : identifiant en double")
        seen.add(rid)
        for key in ("title", "text", "recommendation", "detector"):
            if not isinstance(rule.get(key), str) or not rule[key].strip():
                errors.append(f"{where} : « {key} » obligatoire (texte)")
        if rule.get("detector") and rule["detector"] not in rules.DETECTORS:
            errors.append(f"{where} : détecteur « {rule['detector']} » inconnu (disponibles : "
                          f"{', '.join(sorted(rules.DETECTORS))})")
        if rule.get("axis") not in AXIS.codes:
            errors.append(f"{where} : « axis » doit valoir {', '.join(AXIS.codes)} (reçu : {rule.get('axis')!r})")
        rule["owner"] = _vocab_code(OWNER, rule.get("owner"), where, errors)
        rule["horizon"] = _vocab_code(HORIZON, rule.get("horizon"), where, errors)
        cond = rule.get("condition") or {}
        if not isinstance(cond, dict) or any(not re.fullmatch(r"(min|max)_\w+", k) for k in cond):
            errors.append(f"{where} : « condition » doit contenir des seuils min_<indicateur> / max_<indicateur>")
        impact = rule.get("impact")
        if isinstance(impact, dict):
            bps = impact.get("breakpoints")
            if not impact.get("from") or not isinstance(bps, list) or len(bps) != 4 or bps != sorted(bps):
                errors.append(f"{where} : « impact » calculé : {{from: indicateur, breakpoints: [4 seuils croissants]}}")
        else:
            _check_level(impact, where, "impact", errors)
        _check_level(rule.get("ease"), where, "ease", errors)
        rule.setdefault("params", {})
        out.append(rule)
    if errors:
        raise RulesError(f"Fichier de règles {path.name} invalide :\n- " + "\n- ".join(errors))
    return {"priority": data.get("priority") or {}, "rules": out}


def priority_formula(rules_path: str | Path | None = None) -> dict[str, Any]:
    """The priority formula shown in the report.

    Returns:
        ``{"formula": str, "explanation": str, "bands": [{"min": int, "label": str}, ...]}``.
    """
    prio = load_rules(rules_path)["priority"]
    return {
        "formula": prio.get("formula", "priorité = impact × facilité"),
        "explanation": prio.get("explanation", ""),
        "bands": prio.get("bands", DEFAULT_BANDS),
    }


def priority_label(priority: int, bands: list[dict[str, Any]] | None = None) -> str:
    """The band of a priority (``haute``, ``moyenne``, ``basse``)."""
    for band in sorted(bands or DEFAULT_BANDS, key=lambda b: -b["min"]):
        if priority >= band["min"]:
            return str(band["label"])
    return ""


def impact_from(spec: Any, indicators: dict[str, float]) -> int:
    """Compute a rule's impact: a fixed 1-5 level, or 1 + the number of breakpoints reached.

    Args:
        spec: ``3`` or ``{"from": "count", "breakpoints": [5, 15, 30, 60]}``.
        indicators: the detector's indicators.

    Returns:
        The impact, 1 to 5.
    """
    if not isinstance(spec, dict):
        return int(spec)
    value = indicators.get(spec["from"])
    if value is None:
        return 1
    return 1 + sum(value >= b for b in spec["breakpoints"])


def condition_met(condition: dict[str, Any], indicators: dict[str, float]) -> bool:
    """True when every ``min_X`` / ``max_X`` threshold holds on the indicators (a missing one fails)."""
    for key, threshold in (condition or {"min_count": 1}).items():
        bound, name = key.split("_", 1)
        value = indicators.get(name)
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return False
        if bound == "min" and value < threshold:
            return False
        if bound == "max" and value > threshold:
            return False
    return True


# ---------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------

_PLURAL = re.compile(r"\[\[\s*(\w+)\s*:\s*([^|\]]+?)\s*\|\s*([^\]]+?)\s*\]\]")


def fill_template(template: str, values: dict[str, Any]) -> str:
    """Fill a rule's French template.

    ``{name}`` takes a value (numbers formatted the French way); ``[[name: singulier |
    pluriel]]`` gives the number and the agreed noun phrase (``12 catégories``). Only plain
    names are accepted (no attribute or index access).

    Raises:
        RulesError: unknown or malformed placeholder (French message).
    """
    def plural(m: re.Match) -> str:
        name = m.group(1)
        if name not in values:
            raise RulesError(f"valeur « {name} » inconnue dans le modèle de texte")
        return fmt.plural(float(values[name]), m.group(2), m.group(3)).replace("{", "{{").replace("}", "}}")

    text = _PLURAL.sub(plural, " ".join(template.split()))
    names = [n for _, n, _, _ in string.Formatter().parse(text) if n is not None]
    for n in names:
        if not n.isidentifier():
            raise RulesError(f"champ « {{{n}}} » invalide dans le modèle de texte")
        if n not in values:
            raise RulesError(f"valeur « {n} » inconnue dans le modèle de texte (disponibles : {', '.join(sorted(values))})")
    shown = {k: _show(v) for k, v in values.items()}
    return text.format(**shown)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int | np.integer):
        return fmt.number(int(value))
    if isinstance(value, float | np.floating):
        return fmt.number(float(value), 0 if float(value).is_integer() else 1)
    return str(value)


def service_acronyms(tables: Tables) -> dict[str, str]:
    """Service id -> acronym (:func:`analysis.indicators.service_labels`), to name services in texts."""
    return ind.service_labels(tables)


def breakdown(evidence: pd.DataFrame, names: dict[str, str], by: str = "service_id", top: int = 8) -> str:
    """Per-service (or per-arrangement) counts: ``"DREAL 5, DDTM 59 4, DDT 60 3 et 4 autres (6)"``.

    Args:
        evidence: a detector's evidence.
        names: id -> display name.
        by: ``service_id`` or ``arrangement_id``.
        top: how many to name before grouping the rest.
    """
    ids = evidence[by].dropna()
    if ids.empty:
        return ""
    counts = ids.map(lambda i: names.get(str(i), str(i))).value_counts()
    counts = counts.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
    parts = [f"{name} {fmt.number(int(n))}" for name, n in counts.head(top).items()]
    rest = counts.iloc[top:]
    if len(rest):
        parts.append(f"{fmt.plural(len(rest), 'autre')} ({fmt.number(int(rest.sum()))})")
    return ", ".join(parts)


def _name_list(ids: list[str], names: dict[str, str], top: int = 12) -> str:
    shown = sorted({names.get(i, i) for i in ids}, key=str.lower)
    if len(shown) > top:
        return ", ".join(shown[:top]) + f" et {fmt.plural(len(shown) - top, 'autre')}"
    return fmt.enumerate_fr(shown)


# ---------------------------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------------------------


def _axis_order(f: Finding) -> tuple:
    return (AXIS.codes.index(f.axis), -f.priority, -f.impact, f.source != SOURCE_RULE, f.rule_id)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Group by axis (the letter's order), then priority, impact and id."""
    return sorted(findings, key=_axis_order)


def evaluate_rules(edition, tables: Tables, previous_tables: Tables | None = None,
                   rules_path: str | Path | None = None) -> RuleRun:
    """Evaluate every rule of the rules file on an edition's tables.

    Args:
        edition: the edition (reference date, maturity spec, rules path); may be ``None`` in tests.
        tables: the tables of one audience (public tables give public-safe evidence).
        previous_tables: the previous edition's tables of the same audience, if any.
        rules_path: the rules file (default: ``edition.rules``).

    Returns:
        The findings of the fired rules (sorted) and the status table of all rules.
    """
    path = rules_path or (edition.rules if edition is not None else None)
    spec = load_rules(path)
    bands = spec["priority"].get("bands", DEFAULT_BANDS)
    snames = service_acronyms(tables)
    anames = rules.arrangement_names(tables)
    findings, status = [], []
    for rule in spec["rules"]:
        fn = rules.DETECTORS[rule["detector"]]
        try:
            det = fn(tables, rule["params"], edition=edition, previous=previous_tables)
        except rules.RuleError as exc:
            raise RulesError(f"règle « {rule['id']} » : {exc}") from exc
        row = {"Règle": rule["id"], "Constat recherché": rule["title"], "Axe": AXIS.label_of(rule["axis"])}
        if not det.evaluable:
            status.append({**row, "Statut": "non évaluable", "Motif": det.reason})
            continue
        if not condition_met(rule.get("condition"), det.indicators):
            status.append({**row, "Statut": "non déclenchée", "Motif": ""})
            continue
        ev = det.evidence
        services = sorted({str(s) for s in ev["service_id"].dropna()})
        arrs = sorted({str(a) for a in ev["arrangement_id"].dropna()})
        values: dict[str, Any] = {k: v for k, v in det.indicators.items()}
        values.update({
            "breakdown": breakdown(ev, snames),
            "arrangement_breakdown": breakdown(ev, anames, by="arrangement_id"),
            "service_list": _name_list(services, snames),
            "arrangement_list": _name_list(arrs, anames),
        })
        values.update(det.values)
        try:
            text = fill_template(rule["text"], values)
            reco = fill_template(rule["recommendation"], values)
        except RulesError as exc:
            raise RulesError(f"règle « {rule['id']} » : {exc}") from exc
        impact = max(1, min(5, impact_from(rule["impact"], det.indicators)))
        ease = int(rule["ease"])
        findings.append(Finding(
            rule_id=rule["id"], axis=rule["axis"], axis_label=AXIS.label_of(rule["axis"]), title=rule["title"],
            text=text, priority=impact * ease, impact=impact, ease=ease,
            owner=OWNER.label_of(rule["owner"]), horizon=HORIZON.label_of(rule["horizon"]), evidence=ev,
            services=services, source=SOURCE_RULE, recommendation=reco, count=len(ev),
            priority_label=priority_label(impact * ease, bands),
            service_names=sorted({snames.get(s, s) for s in services}, key=str.lower),
            breakdown=values["breakdown"],
        ))
        status.append({**row, "Statut": "déclenchée", "Motif": ""})
    return RuleRun(sort_findings(findings), pd.DataFrame(status, columns=["Règle", "Constat recherché", "Axe", "Statut", "Motif"]))


def load_analyst_recommendations(path: str | Path, bands: list[dict[str, Any]] | None = None) -> list[Finding]:
    """Read the analysts' own recommendations.

    The file holds a list ``recommendations`` of items with ``id``, ``axis``, ``title``,
    ``text`` (the finding), ``recommendation``, ``owner``, ``horizon``, ``impact`` and ``ease``
    (1-5), and optionally ``services`` (service ids).

    Raises:
        RulesError: listing every problem in French (file name and item).
    """
    path = Path(path)
    data = _read_yaml(path, "de recommandations")
    if not isinstance(data, dict) or not isinstance(data.get("recommendations"), list):
        raise RulesError(f"{path.name} : une liste « recommendations » est attendue.")
    errors: list[str] = []
    out: list[Finding] = []
    for i, item in enumerate(data["recommendations"], 1):
        where = f"recommandation n° {i}"
        if not isinstance(item, dict):
            errors.append(f"{where} : un dictionnaire est attendu")
            continue
        where = f"recommandation « {item.get('id') or i} »"
        for key in ("id", "title", "text", "recommendation"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                errors.append(f"{where} : « {key} » obligatoire (texte)")
        axis = item.get("axis")
        if axis not in AXIS.codes:
            errors.append(f"{where} : « axis » doit valoir {', '.join(AXIS.codes)} (reçu : {axis!r})")
        owner = _vocab_code(OWNER, item.get("owner"), where, errors)
        horizon = _vocab_code(HORIZON, item.get("horizon"), where, errors)
        _check_level(item.get("impact"), where, "impact", errors)
        _check_level(item.get("ease"), where, "ease", errors)
        services = item.get("services", []) or []
        if not isinstance(services, list):
            errors.append(f"{where} : « services » doit être une liste d'identifiants")
            services = []
        if errors:
            continue
        prio = item["impact"] * item["ease"]
        out.append(Finding(
            rule_id=str(item["id"]), axis=axis, axis_label=AXIS.label_of(axis), title=item["title"].strip(),
            text=" ".join(item["text"].split()), priority=prio, impact=item["impact"], ease=item["ease"],
            owner=OWNER.label_of(owner), horizon=HORIZON.label_of(horizon),
            evidence=rules.evidence_frame(pd.DataFrame({"service_id": [str(s) for s in services]})),
            services=[str(s) for s in services], source=SOURCE_ANALYST,
            recommendation=" ".join(item["recommendation"].split()), count=0,
            priority_label=priority_label(prio, bands), service_names=[str(s) for s in services],
        ))
    if errors:
        raise RulesError(f"Fichier de recommandations {path.name} invalide :\n- " + "\n- ".join(errors))
    return out


def evaluate(edition, tables: Tables, previous_tables: Tables | None = None) -> list[Finding]:
    """Every finding of an edition: fired rules and analysts' recommendations, sorted.

    Args:
        edition: the edition (its ``rules`` and ``recommendations`` files are used).
        tables: the tables of one audience.
        previous_tables: the previous edition's tables of the same audience, if any.

    Returns:
        Findings grouped by axis and ordered by priority (analysts' ones marked
        ``source == "analyste"``).
    """
    run = evaluate_rules(edition, tables, previous_tables)
    found = list(run.findings)
    if edition is not None and edition.recommendations:
        bands = priority_formula(edition.rules)["bands"]
        names = service_acronyms(tables)
        for f in load_analyst_recommendations(edition.recommendations, bands):
            f.service_names = sorted({names.get(s, s) for s in f.services}, key=str.lower)
            found.append(f)
    return sort_findings(found)


def top(findings: list[Finding], n: int = 5) -> list[Finding]:
    """The ``n`` highest-priority findings, all axes together (ties: impact, then axis order)."""
    return sorted(findings, key=lambda f: (-f.priority, -f.impact, AXIS.codes.index(f.axis), f.rule_id))[:n]


def recommendations_table(findings: list[Finding]) -> pd.DataFrame:
    """One row per finding, French columns, ordered by axis then priority.

    Returns:
        Columns Axe, Priorité, Niveau, Constat, Recommandation, Porteur, Échéance, Services
        concernés, Origine, Impact, Facilité, Règle.
    """
    rows = [{
        "Axe": f.axis_label,
        "Priorité": f.priority,
        "Niveau": f.priority_label,
        "Constat": f.text,
        "Recommandation": f.recommendation,
        "Porteur": f.owner,
        "Échéance": f.horizon,
        "Services concernés": ", ".join(f.service_names),
        "Origine": ANALYST_MARK if f.source == SOURCE_ANALYST else "Règle",
        "Impact": f.impact,
        "Facilité": f.ease,
        "Règle": f.rule_id,
    } for f in sort_findings(findings)]
    cols = ["Axe", "Priorité", "Niveau", "Constat", "Recommandation", "Porteur", "Échéance",
            "Services concernés", "Origine", "Impact", "Facilité", "Règle"]
    return pd.DataFrame(rows, columns=cols)


def rules_status_table(run: RuleRun) -> pd.DataFrame:
    """The status of every rule (déclenchée / non déclenchée / non évaluable), for traceability."""
    return run.status.copy()


def findings_html(findings: list[Finding], axis: str | None = None) -> str:
    """Escaped HTML cards of findings: title, priority, text, evidence summary and recommendation.

    Args:
        findings: the findings (any order; shown grouped by axis then priority).
        axis: keep only this axis code.

    Returns:
        HTML markup (every value escaped) to pass to ``Chapter.html``.
    """
    parts = []
    for f in sort_findings(findings):
        if axis and f.axis != axis:
            continue
        origin = ANALYST_MARK if f.source == SOURCE_ANALYST else "Constat calculé (règle « " + f.rule_id + " »)"
        meta = (f"Priorité {f.priority_label} : {fmt.number(f.priority)}/25 (impact {f.impact} × facilité {f.ease})"
                f" · {origin}")
        if f.source == SOURCE_RULE:
            rows = int(f.evidence["row_id"].notna().sum()) if "row_id" in f.evidence else 0
            services = fmt.plural(len(f.services), "service concerné", "services concernés")
            evidence = (f"Justification : {fmt.plural(rows, 'ligne de réponse citée', 'lignes de réponse citées')}, "
                        f"{services}" if rows else f"Justification : {services}")
            evidence += f" ({', '.join(f.service_names)})." if 0 < len(f.service_names) <= 15 else "."
        else:
            evidence = f"Services concernés : {', '.join(f.service_names)}." if f.service_names else ""
        parts.append(
            f'<div class="finding finding-{"analyste" if f.source == SOURCE_ANALYST else "regle"}">'
            f"<h4>{esc(f.title)}</h4>"
            f'<p class="finding-meta"><em>{esc(meta)}</em></p>'
            f"<p>{esc(f.text)}</p>"
            + (f'<p class="evidence">{esc(evidence)}</p>' if evidence else "")
            + f'<p class="recommendation"><strong>Recommandation :</strong> {esc(f.recommendation)} '
            f"<em>Porteur : {esc(f.owner)} ; échéance : {esc(f.horizon)}.</em></p></div>"
        )
    return "".join(parts) or '<p class="empty">Aucun constat pour cet axe.</p>'


# ---------------------------------------------------------------------------------------------
# Comparison with the previous edition
# ---------------------------------------------------------------------------------------------


def compare_findings(current: list[Finding], previous: list[Finding]) -> pd.DataFrame:
    """Status of each computed finding between two editions, matched by rule id.

    Analysts' recommendations are left out (they are not measured in both editions).

    Returns:
        Columns Règle, Constat, Axe, Statut (« persistant », « nouveau », « résolu »), Nombre
        précédent, Nombre actuel, Priorité précédente, Priorité actuelle, Services (édition
        précédente), Services (édition actuelle); ordered by axis, status, then rule.
    """
    # Analysts' recommendations are opinions of one wave, not findings measured in both: they
    # are shown beside the computed findings, never compared.
    cur = {(f.source, f.rule_id): f for f in current if f.source == SOURCE_RULE}
    prev = {(f.source, f.rule_id): f for f in previous if f.source == SOURCE_RULE}
    rows = []
    for key in sorted(set(cur) | set(prev)):
        c, p = cur.get(key), prev.get(key)
        f = c or p
        status = "persistant" if c and p else ("nouveau" if c else "résolu")
        rows.append({
            "Règle": f.rule_id,
            "Constat": f.title,
            "Axe": f.axis_label,
            "Statut": status,
            "Nombre précédent": p.count if p else np.nan,
            "Nombre actuel": c.count if c else np.nan,
            "Priorité précédente": p.priority if p else np.nan,
            "Priorité actuelle": c.priority if c else np.nan,
            "Services (édition précédente)": ", ".join(p.service_names) if p else "",
            "Services (édition actuelle)": ", ".join(c.service_names) if c else "",
            "_axis": AXIS.codes.index(f.axis),
            "_status": STATUS.index(status),
        })
    cols = ["Règle", "Constat", "Axe", "Statut", "Nombre précédent", "Nombre actuel", "Priorité précédente",
            "Priorité actuelle", "Services (édition précédente)", "Services (édition actuelle)"]
    if not rows:
        return pd.DataFrame(columns=cols)
    df = pd.DataFrame(rows).sort_values(["_axis", "_status", "Règle"], kind="stable")
    return df[cols].reset_index(drop=True)


#: Indicator codes of :func:`compare_indicators` and their French labels.
INDICATORS = {
    "open_gap": "Écart à l'ouverture (catégories publiables non publiées)",
    "share_published": "Part des catégories publiées en open data",
    "pooled_purchases": "Achats mutualisables (catégories achetées aussi par un autre service)",
}


def _pooled_rows(tables: Tables, rules_path: Path | None) -> pd.DataFrame:
    """Evidence of the pooled-purchase rule (its parameters read from the rules file)."""
    params: dict[str, Any] = {}
    try:
        for r in load_rules(rules_path)["rules"]:
            if r["detector"] == "duplicate_acquisitions":
                params = r["params"]
                break
    except RulesError:
        params = {}
    return rules.duplicate_acquisitions(tables, params).evidence


def _indicator_rows(edition, tables: Tables) -> tuple[pd.DataFrame, Any]:
    """Long table (scope, service_id, indicator, value) of one edition."""
    from analysis import maturity

    cats = tables.categories
    serv_ids = sorted(tables.services["service_id"].dropna().unique())
    publishable = cats["diffusion"] == model.DIFFUSION.publishable
    published = cats["diffusion"] == model.DIFFUSION.published
    pooled = _pooled_rows(tables, edition.rules if edition is not None else None)
    rows = []

    def add(sid, ind, value):
        rows.append({"service_id": sid, "indicator": ind, "value": value})

    key = ind.key_figures(tables)
    add(None, "open_gap", float(key["n_publishable_not_published"]))
    add(None, "share_published", key["share_published"])
    add(None, "pooled_purchases", float(len(pooled)))
    for sid in serv_ids:
        mine = cats["service_id"] == sid
        add(sid, "open_gap", float((publishable & mine).sum()))
        add(sid, "share_published", fmt.share(float((published & mine).sum()), float(mine.sum())))
        add(sid, "pooled_purchases", float((pooled["service_id"] == sid).sum()))
    spec_path = edition.maturity_spec if edition is not None else paths.CONFIG_DIR / "maturite-questionnaire.yaml"
    spec = maturity.load_spec(spec_path)
    levels = maturity.score(spec, getattr(tables, spec.table))
    for d in spec.dimensions:
        lv = levels[levels["dimension"] == d.id]
        add(None, f"maturity:{d.id}", float(lv["level"].mean()) if len(lv) else np.nan)
        for sid, v in lv[["respondent", "level"]].itertuples(index=False, name=None):
            add(sid, f"maturity:{d.id}", float(v))
    df = pd.DataFrame(rows)
    df["value"] = df["value"].astype(float)
    return df, spec


def compare_indicators(edition, tables: Tables, previous_edition, previous_tables: Tables) -> pd.DataFrame:
    """Key indicators of two editions, for the region and for each service.

    Indicators: open-by-default gap (count), share published (0-1), pooled purchases (count of
    categories bought by several services), maturity level per dimension (region: mean level
    of the services that answered).

    Returns:
        Columns service_id (``None`` for the region), Périmètre (« Région » or the acronym),
        indicator (code), Indicateur (French label), Précédent, Actuel, Évolution; the years are
        in ``df.attrs["years"] = (previous_year, year)``. Region rows first, then services by
        acronym.
    """
    now, spec = _indicator_rows(edition, tables)
    before, _ = _indicator_rows(previous_edition, previous_tables)
    df = now.merge(before, on=["service_id", "indicator"], how="outer", suffixes=("_now", "_before"))
    names = service_acronyms(previous_tables)
    names.update(service_acronyms(tables))
    labels = dict(INDICATORS)
    labels.update({f"maturity:{d.id}": f"Maturité : {d.label}" for d in spec.dimensions})
    order = {k: i for i, k in enumerate(labels)}
    df["Périmètre"] = df["service_id"].map(lambda s: "Région" if s is None or pd.isna(s) else names.get(s, s))
    df["Indicateur"] = df["indicator"].map(labels)
    df["Précédent"] = df["value_before"]
    df["Actuel"] = df["value_now"]
    df["Évolution"] = df["Actuel"] - df["Précédent"]
    df["_region"] = df["service_id"].isna()
    df["_o"] = df["indicator"].map(order)
    df = df.sort_values(["_region", "Périmètre", "_o"], ascending=[False, True, True], kind="stable",
                        key=lambda s: s.str.lower() if s.dtype == object else s)
    out = df[["service_id", "Périmètre", "indicator", "Indicateur", "Précédent", "Actuel", "Évolution"]].reset_index(drop=True)
    out["service_id"] = out["service_id"].astype(object).where(out["service_id"].notna(), None)
    out.attrs["years"] = (
        previous_edition.year if previous_edition is not None else None,
        edition.year if edition is not None else None,
    )
    return out


def _fmt_indicator(indicator: str, value: float, change: bool = False) -> str:
    if value is None or pd.isna(value):
        return fmt.MISSING
    sign = "+" if change and value > 0 else ""
    if indicator == "share_published":
        return f"{sign}{fmt.number(value * 100)} pts" if change else fmt.percent(value)
    if indicator.startswith("maturity:"):
        return sign + fmt.number(value, 1)
    return sign + fmt.number(value)


def indicators_display(cmp: pd.DataFrame, region: bool = True, indicators: list[str] | None = None) -> pd.DataFrame:
    """Format :func:`compare_indicators` for a report table (French, years as column names).

    Args:
        cmp: output of :func:`compare_indicators`.
        region: keep the region rows (True) or the service rows (False).
        indicators: indicator codes to keep (all by default).

    Returns:
        Columns Périmètre (services only), Indicateur, <previous year>, <year>, Évolution, as strings.
    """
    prev_year, year = cmp.attrs.get("years", (None, None))
    sub = cmp[cmp["service_id"].isna() == region]
    if indicators:
        sub = sub[sub["indicator"].isin(indicators)]
    out = pd.DataFrame({
        "Périmètre": sub["Périmètre"],
        "Indicateur": sub["Indicateur"],
        str(prev_year or "Précédent"): [_fmt_indicator(i, v) for i, v in zip(sub["indicator"], sub["Précédent"], strict=True)],
        str(year or "Actuel"): [_fmt_indicator(i, v) for i, v in zip(sub["indicator"], sub["Actuel"], strict=True)],
        "Évolution": [_fmt_indicator(i, v, True) for i, v in zip(sub["indicator"], sub["Évolution"], strict=True)],
    }).reset_index(drop=True)
    return out.drop(columns="Périmètre") if region else out


def evolution_figure(cmp: pd.DataFrame, indicator: str | None = None, maturity: bool = False, top_n: int = 15) -> Figure:
    """Grouped horizontal bars, previous edition vs current.

    Args:
        cmp: output of :func:`compare_indicators`.
        indicator: a per-service indicator code (``open_gap``…): one pair of bars per service
            (the ``top_n`` largest current values).
        maturity: instead, the regional mean level per maturity dimension.
        top_n: services shown at most.

    Returns:
        The figure.
    """
    prev_year, year = cmp.attrs.get("years", (None, None))
    if maturity:
        sub = cmp[cmp["service_id"].isna() & cmp["indicator"].str.startswith("maturity:")]
        labels = sub["Indicateur"].str.replace("Maturité : ", "", regex=False)
        xlabel = "Niveau moyen (1 à 5)"
    else:
        sub = cmp[cmp["service_id"].notna() & (cmp["indicator"] == indicator)]
        sub = sub.assign(_k=sub["Actuel"].fillna(0)).sort_values(["_k", "Périmètre"], ascending=[False, True]).head(top_n)
        labels = sub["Périmètre"]
        xlabel = INDICATORS.get(indicator, indicator)
    sub = sub.iloc[::-1]
    labels = list(labels)[::-1]
    y = np.arange(len(sub))
    fig, ax = plt.subplots(figsize=(7.0, max(2.2, 0.34 * len(sub) + 1.2)))
    h = 0.38
    ax.barh(y + h / 2, sub["Précédent"].fillna(0), height=h, color=PALETTE[1], label=str(prev_year or "Précédent"))
    ax.barh(y - h / 2, sub["Actuel"].fillna(0), height=h, color=PALETTE[0], label=str(year or "Actuel"))
    ax.set_yticks(y, ["\n".join(textwrap.wrap(str(t), 32)) for t in labels])
    ax.set_xlabel("\n".join(textwrap.wrap(xlabel, 70)))
    if maturity:
        ax.set_xlim(0, 5)
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="lower right", frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------------
# Chapter helpers (display only; every value comes from the functions above)
# ---------------------------------------------------------------------------------------------


def recommendations_summary(findings: list[Finding]) -> pd.DataFrame:
    """The recap table of the chapter: one short row per finding (title, not the full text).

    Returns:
        Columns Axe, Constat, Recommandation, Porteur, Échéance, Priorité (« 16 – haute »), Origine.
    """
    full = recommendations_table(findings)
    titles = [f.title for f in sort_findings(findings)]
    return pd.DataFrame({
        "Axe": full["Axe"],
        "Constat": titles,
        "Recommandation": full["Recommandation"],
        "Porteur": full["Porteur"],
        "Échéance": full["Échéance"],
        "Priorité": [f"{p} – {n}" for p, n in zip(full["Priorité"], full["Niveau"], strict=True)],
        "Origine": full["Origine"],
    })


def overview(run: RuleRun, findings: list[Finding]) -> dict[str, int]:
    """Counts for the chapter's introduction.

    Returns:
        ``rules`` (evaluated), ``fired``, ``not_fired``, ``not_evaluable``, ``analysts``,
        ``high`` (findings in the top band), and one count per axis code.
    """
    status = run.status["Statut"] if len(run.status) else pd.Series(dtype=object)
    bands = DEFAULT_BANDS
    top_label = sorted(bands, key=lambda b: -b["min"])[0]["label"]
    out = {
        "rules": len(run.status),
        "fired": int((status == "déclenchée").sum()),
        "not_fired": int((status == "non déclenchée").sum()),
        "not_evaluable": int((status == "non évaluable").sum()),
        "analysts": sum(f.source == SOURCE_ANALYST for f in findings),
        "high": sum(f.priority_label == top_label for f in findings),
    }
    out.update({code: sum(f.axis == code for f in findings) for code in AXIS.codes})
    return out


def show_public_note(ch, run: RuleRun) -> None:
    """In the public edition, say which rules the public tables cannot answer or may undercount."""
    if not ch.public:
        return
    ch.note(
        "Édition publique : les constats sont calculés sur les tables publiques. Les intitulés des "
        "catégories à diffusion restreinte ou non communicables n'y figurent pas (seuls les nombres et "
        "les services sont cités), les coordonnées des référents non plus : la règle sur les référents "
        "n'y est pas évaluable, et les achats mutualisables de données protégées (fournisseur masqué) "
        "n'y sont pas comptés."
    )


def services_evolution_table(cmp: pd.DataFrame) -> pd.DataFrame:
    """Per service, the open-by-default gap, the share published and the pooled purchases, both years.

    Args:
        cmp: output of :func:`compare_indicators`.

    Returns:
        One row per service (acronym order); string cells formatted the French way, « — » when
        the service did not answer one of the editions.
    """
    prev_year, year = (str(y) for y in cmp.attrs.get("years", ("précédente", "actuelle")))
    sub = cmp[cmp["service_id"].notna()]
    short = {"open_gap": "Écart à l'ouverture", "share_published": "Part publiée", "pooled_purchases": "Achats mutualisables"}
    out = pd.DataFrame({"Service": sorted(sub["Périmètre"].unique(), key=str.lower)})
    for code, label in short.items():
        ind_ = sub[sub["indicator"] == code].set_index("Périmètre")
        for col, year_label in (("Précédent", prev_year), ("Actuel", year)):
            out[f"{label} {year_label}"] = [
                _fmt_indicator(code, ind_[col].get(s, np.nan)) for s in out["Service"]
            ]
    return out


def status_summary(counts: pd.Series | dict) -> str:
    """French clause of finding statuses: « 2 constats sont résolus, 14 persistent et aucun n'est nouveau »."""
    def part(n: int, singular: str, plural: str, zero: str) -> str:
        if n == 0:
            return zero
        return f"{fmt.plural(n, 'constat')} {singular if n == 1 else plural}"

    n = {k: int(counts.get(k, 0)) for k in STATUS}
    return fmt.enumerate_fr([
        part(n["résolu"], "est résolu", "sont résolus", "aucun constat n'est résolu"),
        part(n["persistant"], "persiste", "persistent", "aucun constat ne persiste"),
        part(n["nouveau"], "est nouveau", "sont nouveaux", "aucun constat n'est nouveau"),
    ])


def show_comparison(ch, findings: list[Finding], previous_edition, previous_tables: Tables | None) -> None:
    """The comparison section: indicator evolution (tables, figures) and status of previous findings.

    When there is no previous edition, or its processed tables are missing, a note says so.

    Args:
        ch: the chapter (``analysis.report.Chapter``).
        findings: the current findings (from :func:`evaluate`).
        previous_edition: the previous edition, or None.
        previous_tables: its tables of the same audience, or None.
    """
    if previous_edition is None:
        ch.note("Aucune édition précédente n'est déclarée dans le fichier d'édition : pas de comparaison.")
        return
    if previous_tables is None:
        ch.note(
            f"Les tables traitées de l'édition {previous_edition.year} sont absentes : lancez "
            f"« python -m analysis ingest --edition {previous_edition.path.name} » pour afficher la comparaison."
        )
        return
    cmp = compare_indicators(ch.edition, ch.tables, previous_edition, previous_tables)
    region = cmp[cmp["service_id"].isna()].set_index("indicator")
    prev_year, year = previous_edition.year, ch.edition.year
    gap, share = region.loc["open_gap"], region.loc["share_published"]
    ch.text(
        "Entre {py} et {y}, l'écart à l'ouverture par défaut passe de {g0} à {g1} catégories publiables non "
        "publiées, et la part des catégories publiées en open data de {s0} à {s1}.",
        py=str(prev_year), y=str(year), g0=int(gap["Précédent"]), g1=int(gap["Actuel"]),
        s0=fmt.percent(share["Précédent"]), s1=fmt.percent(share["Actuel"]),
    )
    ch.table(indicators_display(cmp, region=True), f"Indicateurs clés de la région, {prev_year} et {year}",
             note="Maturité : niveau moyen (1 à 5) des services ayant rempli l'auto-évaluation. "
                  "Part publiée : évolution en points de pourcentage.")
    ch.figure(evolution_figure(cmp, "open_gap"), f"Écart à l'ouverture par service, {prev_year} et {year}",
              alt=f"Barres horizontales appariées : catégories publiables non publiées par service en {prev_year} et {year}.",
              note=f"Au plus 15 services : ceux dont l'écart est le plus grand en {year}.")
    ch.figure(evolution_figure(cmp, maturity=True), f"Niveau moyen de maturité par dimension, {prev_year} et {year}",
              alt=f"Barres horizontales appariées : niveau moyen de maturité de chaque dimension en {prev_year} et {year}.")
    ch.table(services_evolution_table(cmp), f"Indicateurs par service, {prev_year} et {year}",
             note="« — » : service n'ayant pas répondu à l'une des deux éditions.")
    previous_run = evaluate_rules(previous_edition, previous_tables, rules_path=ch.edition.rules)
    prev_status = previous_run.status
    skipped = set(prev_status.loc[prev_status["Statut"] == "non évaluable", "Constat recherché"])
    skipped_ids = set(prev_status.loc[prev_status["Statut"] == "non évaluable", "Règle"])
    status = compare_findings([f for f in findings if f.source == SOURCE_RULE and f.rule_id not in skipped_ids],
                              previous_run.findings)
    counts = status["Statut"].value_counts()
    ch.text("Par rapport aux constats de {py} (mêmes règles appliquées aux deux éditions) : {summary}.",
            py=str(prev_year), summary=status_summary(counts))
    if skipped:
        ch.note(f"Non comparées, car non évaluables sur l'édition {prev_year} : "
                + ", ".join(sorted(skipped)) + ".")
    shown = status[["Constat", "Axe", "Statut", "Nombre précédent", "Nombre actuel", "Priorité précédente",
                    "Priorité actuelle"]].rename(columns={
                        "Nombre précédent": f"Éléments cités {prev_year}", "Nombre actuel": f"Éléments cités {year}",
                        "Priorité précédente": f"Priorité {prev_year}", "Priorité actuelle": f"Priorité {year}"})
    int_or_dash = {c: (lambda v: fmt.MISSING if pd.isna(v) else fmt.number(v)) for c in shown.columns[3:]}
    ch.table(shown, f"Statut des constats de {prev_year}", formats=int_or_dash,
             note="Constats issus des règles uniquement ; « résolu » : la règle ne se déclenche plus.")
