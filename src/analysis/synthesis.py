"""The synthesis chapter: key figures, headline findings and the top recommendations.

Every figure comes from :func:`analysis.indicators.key_figures`, from the partnership totals
(:mod:`analysis.partnerships`) and from the prioritised findings of
:mod:`analysis.recommendations`; this module only words them in French.
"""

from __future__ import annotations

import pandas as pd

from analysis import fmt, partnerships
from analysis.partnerships import Sentence
from analysis.tables import Tables, audience_dir, read_tables


def previous_tables(edition, audience: str) -> Tables | None:
    """The previous edition's tables of the same audience, when they have been ingested.

    Args:
        edition: the current edition (its ``previous_edition_file``).
        audience: ``interne`` or ``public``.

    Returns:
        The tables, or None when there is no previous edition or it was not ingested.
    """
    previous = edition.previous_edition() if edition.previous else None
    if previous is None:
        return None
    folder = audience_dir(previous.id, audience)
    return read_tables(folder) if (folder / "services.parquet").is_file() else None


def partnership_totals(tables: Tables) -> dict[str, float]:
    """The partnership headline figures of an edition (see :func:`partnerships.partnership_totals`).

    Args:
        tables: the processed tables of one audience.

    Returns:
        The totals, plus ``top3_state_share`` (share of State credits held by the top 3).
    """
    summary = partnerships.arrangement_summary(tables.arrangements, tables.reference_arrangements,
                                               tables.reference_services)
    totals = partnerships.partnership_totals(summary, tables.arrangements)
    totals["top3_state_share"] = partnerships.top_share(partnerships.state_money(summary), 3)
    return totals


def key_figure_boxes(figures: dict[str, float], totals: dict[str, float]) -> list[tuple[str, str]]:
    """The boxes at the top of the synthesis: ``[(label, formatted value), …]``.

    Args:
        figures: the output of :func:`analysis.indicators.key_figures`.
        totals: the output of :func:`partnership_totals`.

    Returns:
        Six (label, value) pairs in French.
    """
    return [
        ("services répondants", f"{fmt.number(figures['n_respondents'])} / {fmt.number(figures['n_services_reference'])}"),
        ("catégories de données recensées", fmt.number(figures["n_categories"])),
        ("publiées en open data", fmt.percent(figures["share_published"])),
        ("publiables mais non publiées", fmt.number(figures["n_publishable_not_published"])),
        ("outils déclarés", fmt.number(figures["n_tools"])),
        ("dispositifs partenariaux", fmt.number(totals["arrangements"])),
        ("crédits de l'État dans les dispositifs", fmt.money(totals["state_credits"], short=True)),
    ]


def findings(figures: dict[str, float], totals: dict[str, float]) -> list[Sentence]:
    """The headline findings, one French sentence each, figures from the data.

    Args:
        figures: the output of :func:`analysis.indicators.key_figures`.
        totals: the output of :func:`partnership_totals`.

    Returns:
        Five sentences: response, diffusion and open-by-default gap, pooling of purchases, tools
        licensed separately, State credits in the partnership arrangements.
    """
    out = [
        Sentence(
            "**{resp}** sur {ref} de la liste de référence ont répondu à l'enquête, soit un taux de réponse "
            "de **{rate}**.",
            resp=fmt.plural(figures["n_respondents"], "service"), ref=fmt.number(figures["n_services_reference"]),
            rate=fmt.percent(figures["response_rate"]),
        ),
        Sentence(
            "Sur {n} recensées, **{pub}** sont publiées en open data ; {gap} publiables ne le sont pas encore : "
            "c'est l'**écart à l'ouverture par défaut** ({gap_share} des catégories).",
            n=fmt.plural(figures["n_categories"], "catégorie de données", "catégories de données"),
            pub=fmt.percent(figures["share_published"]),
            gap=fmt.plural(figures["n_publishable_not_published"], "catégorie", "catégories"),
            gap_share=fmt.percent(fmt.share(figures["n_publishable_not_published"], figures["n_categories"])),
        ),
        Sentence(
            "{share} des catégories sont acquises auprès de tiers, pour {cost} par an déclarés ; {pool} une "
            "piste de **mutualisation des achats**.",
            share=fmt.percent(figures["share_acquired"]), cost=fmt.money(figures["total_acquisition_cost"]),
            pool=fmt.plural(figures["n_pooling_opportunities"],
                            "groupe de données achetées séparément par plusieurs services ouvre",
                            "groupes de données achetées séparément par plusieurs services ouvrent"),
        ),
        Sentence(
            "Les services déclarent {tools}, dont {free} de logiciels libres ; {dup} séparément par plusieurs "
            "services.",
            tools=fmt.plural(figures["n_tools"], "outil"), free=fmt.percent(figures["share_free_tools"]),
            dup=fmt.plural(figures["n_same_tool_licensed_separately"], "produit logiciel est payé",
                           "produits logiciels sont payés"),
        ),
    ]
    if totals["state_credits"]:
        out.append(Sentence(
            "Les services participent à {arr} de partage et de valorisation de données ; l'État y engage "
            "**{state}** par an ({share} des budgets déclarés), dont {top3} pour les trois premiers dispositifs.",
            arr=fmt.plural(totals["arrangements"], "dispositif partenarial", "dispositifs partenariaux"),
            state=fmt.money(totals["state_credits"]), share=fmt.percent(totals["state_share"]),
            top3=fmt.percent(totals["top3_state_share"]),
        ))
    else:
        out.append(Sentence(
            "Les services participent à {arr} de partage et de valorisation de données ; aucun crédit de l'État "
            "n'y est déclaré.",
            arr=fmt.plural(totals["arrangements"], "dispositif partenarial", "dispositifs partenariaux"),
        ))
    return out


def show_findings(chapter, sentences: list[Sentence]) -> None:
    """Show the findings, one paragraph each (through ``chapter.text``, values escaped)."""
    for sentence in sentences:
        sentence.show(chapter)


def fictional_notice(chapter) -> None:
    """Say, in the synthesis, that the edition's answers are fictional (nothing when they are real)."""
    if chapter.edition.fictional:
        chapter.note(
            "Attention : cette édition repose sur des réponses fictives (échantillon de démonstration livré avec "
            "l'outil). Les chiffres, constats et recommandations ne décrivent aucun service réel."
        )


def top_recommendations_table(top_findings: list) -> pd.DataFrame:
    """The top recommendations as a short table (French headers).

    Args:
        top_findings: findings of :func:`analysis.recommendations.top` (already ordered).

    Returns:
        Rang, Axe, Constat, Recommandation, Priorité, Porteur, Échéance.
    """
    return pd.DataFrame(
        [{
            "Rang": i,
            "Axe": f.axis_label,
            "Constat": f.title,
            "Recommandation": f.recommendation,
            "Priorité": f.priority_label,
            "Porteur": f.owner,
            "Échéance": f.horizon,
        } for i, f in enumerate(top_findings, start=1)],
        columns=["Rang", "Axe", "Constat", "Recommandation", "Priorité", "Porteur", "Échéance"],
    )
