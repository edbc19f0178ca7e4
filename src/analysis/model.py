"""The survey model: every section of the questionnaire, every field and every controlled vocabulary.

This module is the single source of truth. The Excel template (``template``), the cleaning rules
(``ingest``/``clean``), the pandera schemas of the cleaned tables (``schemas``), the data dictionary
and the reports all derive from it; no other module restates a vocabulary by hand.

Cleaned tables store a vocabulary value as its French label (the text shown in the questionnaire's
dropdown), so that processed CSV files read naturally. Code refers to a value through its stable
code: ``DIFFUSION.published`` returns ``"Publiée en open data"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# ---------------------------------------------------------------------------------------------
# Vocabularies
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One value of a controlled vocabulary.

    Attributes:
        code: stable identifier used by code and rules (English, snake_case).
        label: French label: what the respondent picks and what cleaned tables hold.
        synonyms: other spellings respondents use, matched despite accents and case.
    """

    code: str
    label: str
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Vocabulary:
    """A controlled list of values (a dropdown in the questionnaire)."""

    name: str
    label: str
    terms: tuple[Term, ...]

    def __getattr__(self, code: str) -> str:
        # Only called when normal attribute lookup fails: resolve a term code to its label.
        for term in object.__getattribute__(self, "terms"):
            if term.code == code:
                return term.label
        raise AttributeError(f"{object.__getattribute__(self, 'name')} has no term {code!r}")

    @property
    def labels(self) -> list[str]:
        """The French labels, in questionnaire order."""
        return [t.label for t in self.terms]

    @property
    def codes(self) -> list[str]:
        """The term codes, in questionnaire order."""
        return [t.code for t in self.terms]

    def code_of(self, label: str) -> str:
        """Return the code of a label (exact match on the canonical label)."""
        for t in self.terms:
            if t.label == label:
                return t.code
        raise KeyError(f"{label!r} is not a label of vocabulary {self.name}")

    def label_of(self, code: str) -> str:
        """Return the label of a code."""
        return getattr(self, code)


def _v(name: str, label: str, *terms: tuple) -> Vocabulary:
    return Vocabulary(name, label, tuple(Term(*t) for t in terms))


THEME = _v(
    "theme",
    "Thème",
    ("urbanism", "Aménagement, urbanisme et foncier", ("urbanisme", "aménagement", "foncier")),
    ("housing", "Logement et habitat", ("logement", "habitat")),
    ("transport", "Transports et mobilités", ("transports", "mobilité", "mobilités", "transport")),
    ("energy_climate", "Énergie et climat", ("énergie", "climat", "energie")),
    ("air", "Air, bruit et nuisances", ("air", "qualité de l'air", "bruit")),
    ("water", "Eau et milieux aquatiques", ("eau", "milieux aquatiques")),
    ("biodiversity", "Biodiversité, nature et paysages", ("biodiversité", "nature", "paysages")),
    ("risks", "Risques naturels et technologiques", ("risques", "risque", "prévention des risques")),
    ("waste", "Déchets et économie circulaire", ("déchets", "economie circulaire")),
    ("sea", "Mer et littoral", ("mer", "littoral")),
    ("agriculture", "Agriculture, forêt et pêche", ("agriculture", "forêt", "pêche")),
    ("food", "Alimentation et consommation", ("alimentation", "consommation", "sécurité sanitaire des aliments")),
    ("economy", "Économie, entreprises et emploi", ("économie", "emploi", "entreprises", "travail")),
    ("social", "Cohésion sociale et solidarités", ("social", "solidarités", "cohésion sociale")),
    ("health", "Santé", ("santé", "sante", "offre de soins")),
    ("education", "Éducation, enseignement supérieur et recherche", ("éducation", "education", "enseignement")),
    ("youth_sport", "Jeunesse, sports et vie associative", ("sport", "jeunesse", "vie associative")),
    ("culture", "Culture et patrimoine", ("culture", "patrimoine")),
    ("public_finance", "Finances publiques et fiscalité", ("finances", "fiscalité", "finances publiques")),
    ("security", "Sécurité, ordre public et défense", ("sécurité", "ordre public", "défense")),
    ("administration", "Administration, citoyenneté et élections", ("administration", "citoyenneté", "élections")),
    ("territory", "Population, territoires et référentiels", ("territoire", "population", "référentiels", "référentiel")),
)

ORIGIN = _v(
    "origin",
    "Origine",
    ("produced", "Produite en interne", ("interne", "production propre", "produite", "en propre", "créée en propre")),
    ("acquired", "Acquise auprès d'un tiers", ("acquise", "externe", "tiers", "achetée", "acquise auprès de partenaires")),
    ("coproduced", "Coproduite avec des partenaires", ("coproduite", "co-production", "coproduction", "mixte")),
)

ACQUISITION_MODE = _v(
    "acquisition_mode",
    "Mode d'acquisition",
    ("open_data", "Données ouvertes", ("open data", "opendata", "données ouvertes", "libre")),
    ("free_agreement", "Convention d'échange gratuite", ("convention", "convention gratuite", "échange gratuit")),
    ("paid_licence", "Licence payante", ("achat", "licence", "payant", "payante", "abonnement")),
    ("regulatory", "Transmission réglementaire", ("réglementaire", "obligation réglementaire", "transmission")),
)

DIFFUSION = _v(
    "diffusion",
    "Statut de diffusion",
    ("published", "Publiée en open data", ("publiée", "publiee", "open data", "diffusée", "en ligne", "ouverte")),
    ("publishable", "Publiable, non publiée", ("publiable", "à diffuser", "a diffuser", "diffusable", "communicable")),
    ("restricted", "Restreinte aux partenaires", ("restreinte", "partenaires", "diffusion restreinte", "usage interne")),
    ("not_communicable", "Non communicable", ("confidentiel", "confidentielle", "secret", "non diffusable", "non communicable")),
)

#: Diffusion statuses whose categories never appear individually in the public edition.
PROTECTED_DIFFUSION = ("restricted", "not_communicable")

LEGAL_GROUND = _v(
    "legal_ground",
    "Fondement de la restriction",
    ("defence", "Secret de la défense nationale (CRPA L311-5)", ("défense nationale", "secret défense")),
    ("state_security", "Sûreté de l'État, sécurité publique et des personnes (CRPA L311-5)", ("sécurité publique", "sûreté de l'état", "sécurité des personnes")),
    ("foreign_policy", "Conduite de la politique extérieure (CRPA L311-5)", ("politique extérieure",)),
    ("court", "Procédures engagées devant les juridictions (CRPA L311-5)", ("procédure juridictionnelle", "contentieux", "juridictions")),
    ("tax_customs", "Recherche des infractions fiscales et douanières (CRPA L311-5)", ("infractions fiscales", "secret fiscal", "douanes")),
    ("other_secret", "Autres secrets protégés par la loi, dont secret statistique (CRPA L311-5)", ("secret statistique", "autre secret légal")),
    ("privacy", "Vie privée et données personnelles (CRPA L311-6)", ("vie privée", "rgpd", "données personnelles", "données à caractère personnel")),
    ("medical", "Secret médical (CRPA L311-6)", ("secret médical", "médical")),
    ("business", "Secret des affaires (CRPA L311-6)", ("secret des affaires", "secret commercial", "secret industriel et commercial")),
    ("value_judgement", "Appréciation ou jugement de valeur sur une personne (CRPA L311-6)", ("jugement de valeur",)),
    ("third_party_ip", "Propriété intellectuelle de tiers", ("propriété intellectuelle", "droits de tiers", "droit d'auteur")),
    ("preparatory", "Document inachevé ou préparatoire (CRPA L311-2)", ("document préparatoire", "inachevé", "préparatoire")),
)

INSPIRE_THEME = _v(
    "inspire_theme",
    "Thème INSPIRE",
    ("rs", "Référentiels de coordonnées"),
    ("gg", "Systèmes de maillage géographique"),
    ("gn", "Dénominations géographiques"),
    ("au", "Unités administratives"),
    ("ad", "Adresses"),
    ("cp", "Parcelles cadastrales", ("cadastre",)),
    ("tn", "Réseaux de transport"),
    ("hy", "Hydrographie"),
    ("ps", "Sites protégés"),
    ("el", "Altitude"),
    ("lc", "Occupation des terres"),
    ("oi", "Ortho-imagerie", ("orthophotographie",)),
    ("ge", "Géologie"),
    ("su", "Unités statistiques"),
    ("bu", "Bâtiments"),
    ("so", "Sols"),
    ("lu", "Usage des sols"),
    ("hh", "Santé et sécurité des personnes"),
    ("us", "Services d'utilité publique et services publics"),
    ("ef", "Installations de suivi environnemental"),
    ("pf", "Lieux de production et sites industriels"),
    ("af", "Installations agricoles et aquacoles"),
    ("pd", "Répartition de la population — démographie", ("démographie", "répartition de la population")),
    ("am", "Zones de gestion, de restriction ou de réglementation", ("zonages réglementaires",)),
    ("nz", "Zones à risque naturel"),
    ("ac", "Conditions atmosphériques"),
    ("mf", "Caractéristiques géographiques météorologiques"),
    ("of", "Caractéristiques géographiques océanographiques"),
    ("sr", "Régions maritimes"),
    ("br", "Régions biogéographiques"),
    ("hb", "Habitats et biotopes"),
    ("sd", "Répartition des espèces"),
    ("er", "Sources d'énergie"),
    ("mr", "Ressources minérales"),
)

FORMAT = _v(
    "format",
    "Format",
    ("csv", "CSV"),
    ("xlsx", "Tableur (XLSX/ODS)", ("xlsx", "xls", "excel", "ods", "tableur")),
    ("shp", "Shapefile", ("shp", "shape")),
    ("gpkg", "GeoPackage", ("gpkg",)),
    ("geojson", "GeoJSON"),
    ("ogc", "Flux WMS/WFS", ("wms", "wfs", "flux ogc", "wms/wfs")),
    ("api", "API"),
    ("db", "Base de données", ("postgis", "postgresql", "oracle", "sql", "bdd")),
    ("json", "JSON"),
    ("xml", "XML"),
    ("pdf", "PDF"),
)

FREQUENCY = _v(
    "frequency",
    "Fréquence de mise à jour",
    ("continuous", "En continu", ("temps réel", "continue", "au fil de l'eau")),
    ("daily", "Quotidienne", ("quotidien", "journalière")),
    ("weekly", "Hebdomadaire", ("hebdo",)),
    ("monthly", "Mensuelle", ("mensuel", "tous les mois")),
    ("quarterly", "Trimestrielle", ("trimestriel",)),
    ("semiannual", "Semestrielle", ("semestriel",)),
    ("annual", "Annuelle", ("annuel", "tous les ans", "1 fois par an")),
    ("pluriannual", "Pluriannuelle", ("pluriannuel", "tous les 3 ans", "tous les 5 ans")),
    ("irregular", "Ponctuelle ou irrégulière", ("ponctuelle", "irrégulière", "à la demande")),
    ("none", "Pas de mise à jour prévue", ("aucune", "figée", "jamais")),
)

COVERAGE = _v(
    "coverage",
    "Couverture géographique",
    ("local", "Communale ou infra-communale", ("communale", "commune", "infra-communale")),
    ("epci", "Intercommunale", ("epci", "intercommunalité")),
    ("departement", "Départementale", ("département", "departementale")),
    ("region", "Régionale", ("région", "regionale", "hauts-de-france")),
    ("basin", "Interrégionale ou de bassin", ("bassin", "interrégionale", "bassin artois-picardie")),
    ("national", "Nationale", ("france", "national")),
)

PLATFORM = _v(
    "platform",
    "Plateforme de publication",
    ("datagouv", "data.gouv.fr", ("datagouv", "data gouv", "www.data.gouv.fr")),
    ("geo2france", "Géo2France", ("geo2france", "geo 2 france", "plateforme géo2france")),
    ("geoide", "GéoIDE / Géocatalogue", ("geoide", "géocatalogue", "geocatalogue")),
    ("own_site", "Site internet du service", ("site internet", "site web", "site du service")),
    ("ministry", "Portail ministériel", ("portail ministériel", "site du ministère")),
    ("other", "Autre plateforme", ("autre",)),
)

#: Platforms regarded as the regional shared platform (for the rule on geographic data).
REGIONAL_PLATFORMS = ("geo2france",)

LICENCE = _v(
    "licence",
    "Licence",
    ("lo2", "Licence Ouverte 2.0 (Etalab)", ("licence ouverte", "etalab", "lo", "lo 2.0", "licence ouverte v2.0")),
    ("odbl", "ODbL", ("open database license",)),
    ("cc_by", "CC-BY", ("creative commons", "cc by")),
    ("proprietary", "Licence propriétaire", ("propriétaire", "licence fournisseur")),
    ("none", "Aucune licence", ("aucune", "sans licence")),
    ("other", "Autre licence", ("autre",)),
)

#: Licences that make a published category reusable as open data.
OPEN_LICENCES = ("lo2", "odbl", "cc_by")

TOOL_TYPE = _v(
    "tool_type",
    "Type d'outil",
    ("desktop_gis", "SIG bureautique", ("sig", "sig bureautique", "qgis", "arcgis")),
    ("sdi", "Infrastructure de données géographiques / catalogue", ("idg", "catalogue", "ids", "catalogue de métadonnées")),
    ("opendata_portal", "Portail open data", ("portail", "portail open data", "portail de données")),
    ("bi", "Décisionnel / tableaux de bord", ("bi", "décisionnel", "tableaux de bord", "dashboard")),
    ("spreadsheet", "Tableur", ("tableur", "excel", "calc")),
    ("database", "Base de données", ("sgbd", "bdd", "base de données")),
    ("stats", "Statistique / programmation", ("statistique", "programmation", "r", "python", "sas")),
    ("webmap", "Cartographie web / datavisualisation", ("cartographie web", "dataviz", "webmapping")),
    ("business_app", "Application métier", ("application métier", "logiciel métier", "métier")),
)

SOFTWARE_LICENCE = _v(
    "software_licence",
    "Licence du logiciel",
    ("free", "Libre", ("logiciel libre", "open source", "gratuit")),
    ("proprietary", "Propriétaire", ("propriétaire", "commercial", "payant")),
)

USE = _v(
    "use",
    "Usage",
    ("internal", "Valorisation interne", ("interne", "usage interne")),
    ("external", "Valorisation externe", ("externe", "diffusion externe", "grand public")),
    ("both", "Interne et externe", ("les deux", "mixte", "interne et externe", "interne/externe")),
)

AUDIENCE = _v(
    "audience",
    "Public",
    ("agents", "Agents du service", ("agents", "interne", "service")),
    ("state_services", "Autres services de l'État", ("services de l'état", "état", "autres services")),
    ("local_authorities", "Collectivités territoriales", ("collectivités", "communes", "epci")),
    ("elected", "Élus", ("élus", "elus")),
    ("companies", "Entreprises et bureaux d'études", ("entreprises", "bureaux d'études", "professionnels")),
    ("research", "Chercheurs et universités", ("recherche", "universités", "chercheurs")),
    ("associations", "Associations", ("associations",)),
    ("public", "Grand public", ("grand public", "citoyens", "public", "usagers")),
)

ARRANGEMENT_KIND = _v(
    "arrangement_kind",
    "Nature du dispositif",
    ("platform", "Plateforme de données", ("plateforme", "idg", "portail")),
    ("observatory", "Observatoire", ("observatoire",)),
    ("network", "Réseau ou club d'acteurs", ("réseau", "club", "communauté")),
    ("bilateral", "Convention bilatérale", ("convention", "convention bilatérale", "accord")),
    ("gip", "Groupement d'intérêt public", ("gip",)),
    ("association", "Association", ("association", "loi 1901")),
)

PARTNER = _v(
    "partner",
    "Partenaire",
    ("region", "Région", ("conseil régional", "région hauts-de-france")),
    ("departements", "Départements", ("conseils départementaux", "département", "cd")),
    ("epci", "EPCI et communes", ("epci", "communes", "intercommunalités", "métropole")),
    ("state_services", "Autres services de l'État", ("état", "services de l'état")),
    ("state_operators", "Opérateurs de l'État", ("opérateurs", "établissements publics")),
    ("urban_agencies", "Agences d'urbanisme", ("agence d'urbanisme", "adu")),
    ("universities", "Universités et recherche", ("université", "universités", "recherche", "laboratoires")),
    ("associations", "Associations", ("associations", "association")),
    ("companies", "Entreprises", ("entreprises", "bureaux d'études", "privé")),
    ("chambers", "Chambres consulaires", ("chambres", "cci", "chambre d'agriculture")),
)

ROLE = _v(
    "role",
    "Rôle du service",
    ("lead", "Pilote", ("pilote", "chef de file", "porteur")),
    ("colead", "Co-pilote", ("copilote", "co-pilote", "co-porteur")),
    ("contributor", "Contributeur", ("contributeur", "membre", "partenaire")),
    ("user", "Utilisateur", ("utilisateur", "usager", "bénéficiaire")),
)

GOVERNANCE_FRAME = _v(
    "governance_frame",
    "Cadre formel",
    ("convention", "Convention", ("convention de partenariat", "convention cadre")),
    ("gip", "GIP", ("groupement d'intérêt public",)),
    ("association", "Association", ("statuts associatifs",)),
    ("charter", "Charte", ("charte partenariale",)),
    ("none", "Aucun cadre formel", ("aucun", "informel", "néant")),
)

GOVERNANCE_BODY = _v(
    "governance_body",
    "Instance de gouvernance",
    ("steering", "Comité de pilotage", ("copil", "comité de pilotage")),
    ("technical", "Comité technique", ("cotech", "comité technique", "groupe technique")),
    ("general_assembly", "Assemblée générale", ("ag", "assemblée générale")),
    ("board", "Conseil d'administration", ("ca", "conseil d'administration")),
    ("none", "Aucune instance", ("aucune", "néant")),
)

PRODUCTION = _v(
    "production",
    "Production",
    ("portal", "Portail ou plateforme", ("portail", "plateforme", "site")),
    ("datasets", "Jeux de données", ("données", "jeux de données", "datasets")),
    ("atlases", "Atlas et cartes", ("atlas", "cartes", "cartographie")),
    ("dashboards", "Tableaux de bord", ("tableaux de bord", "indicateurs")),
    ("publications", "Publications et études", ("études", "publications", "notes")),
    ("training", "Formations et animations", ("formations", "animation", "webinaires")),
)

MATURITY_DIMENSION = _v(
    "maturity_dimension",
    "Dimension de maturité",
    ("strategy", "Stratégie et gouvernance", ("stratégie", "gouvernance")),
    ("skills", "Compétences et moyens", ("compétences", "moyens")),
    ("knowledge", "Connaissance de ses données", ("connaissance", "inventaire")),
    ("opening", "Ouverture et diffusion", ("ouverture", "diffusion", "open data")),
    ("quality", "Qualité et standards", ("qualité", "standards")),
    ("sharing", "Partage et mutualisation", ("partage", "mutualisation")),
    ("uses", "Usages et impact", ("usages", "impact")),
)

MATURITY_LEVEL = _v(
    "maturity_level",
    "Niveau de maturité",
    ("1", "1 - Initial", ("1", "initial", "niveau 1")),
    ("2", "2 - Reproductible", ("2", "reproductible", "niveau 2")),
    ("3", "3 - Défini", ("3", "défini", "niveau 3")),
    ("4", "4 - Maîtrisé", ("4", "maîtrisé", "niveau 4")),
    ("5", "5 - Optimisé", ("5", "optimisé", "niveau 5")),
)

SERVICE_TYPE = _v(
    "service_type",
    "Type de service",
    ("prefecture", "Préfecture et SGAR", ("préfecture", "sgar")),
    ("regional", "Direction régionale", ("direction régionale", "dr")),
    ("departmental", "Direction départementale", ("direction départementale", "ddi", "dd")),
    ("operator", "Opérateur de l'État", ("opérateur", "établissement public")),
    ("other", "Autre service de l'État", ("autre",)),
)

VOCABULARIES: dict[str, Vocabulary] = {
    v.name: v
    for v in (
        THEME, ORIGIN, ACQUISITION_MODE, DIFFUSION, LEGAL_GROUND, INSPIRE_THEME, FORMAT, FREQUENCY,
        COVERAGE, PLATFORM, LICENCE, TOOL_TYPE, SOFTWARE_LICENCE, USE, AUDIENCE, ARRANGEMENT_KIND,
        PARTNER, ROLE, GOVERNANCE_FRAME, GOVERNANCE_BODY, PRODUCTION, MATURITY_DIMENSION,
        MATURITY_LEVEL, SERVICE_TYPE,
    )
}

#: Separator of multi-valued cells, in the questionnaire and in cleaned tables.
MULTI_SEPARATOR = "; "

# ---------------------------------------------------------------------------------------------
# Fields and sections
# ---------------------------------------------------------------------------------------------

FieldKind = Literal[
    "text",  # short free text
    "longtext",  # free text (description, comment)
    "integer",  # whole number (number of users)
    "money",  # euros: "12 500 €", "1,5 k€", "2 M€"
    "fte",  # full-time equivalents: "0,5 ETP", "1/2", "50 %"
    "bool",  # "Oui", "X", "non"
    "date",  # "01/02/2019", "février 2019", Excel serials
    "choice",  # one value of a vocabulary
    "multichoice",  # several values of a vocabulary, separated by ";" or ","
    "service",  # a State service, resolved against the reference list
    "arrangement",  # a partnership arrangement, resolved against the reference list
    "url",
    "email",
    "phone",
]


@dataclass(frozen=True)
class Field:
    """One question of the questionnaire, i.e. one column of a section's sheet and cleaned table.

    Attributes:
        name: column name in the cleaned table (English, snake_case).
        label: column header in the questionnaire (French).
        kind: how raw values are parsed (see ``FieldKind``).
        help: French help text, shown as a comment on the header cell.
        required: a row without this value is rejected.
        vocab: the controlled vocabulary of a ``choice`` / ``multichoice`` field.
        synonyms: other headers respondents use for this column (renamed columns).
        personal: holds personal data: never in the public edition.
        protected: free text hidden for restricted categories in the public edition.
        min_value / max_value: bounds of numeric values (rejected outside).
        width: column width in the questionnaire (characters).
    """

    name: str
    label: str
    kind: FieldKind
    help: str
    required: bool = False
    vocab: Vocabulary | None = None
    synonyms: tuple[str, ...] = ()
    personal: bool = False
    protected: bool = False
    min_value: float | None = None
    max_value: float | None = None
    width: int = 18


@dataclass(frozen=True)
class Section:
    """One sheet of the questionnaire and one cleaned table.

    Attributes:
        name: table name (``data/processed/<edition>/<name>.parquet``).
        sheet: sheet name in the questionnaire.
        label: French title.
        help: French instructions shown on the instructions sheet.
        fields: the questions, in column order.
        sheet_synonyms: other sheet names respondents use.
        one_row: the section has a single answer row per return (the service sheet).
    """

    name: str
    sheet: str
    label: str
    help: str
    fields: tuple[Field, ...]
    sheet_synonyms: tuple[str, ...] = ()
    one_row: bool = False
    optional: bool = False

    def field(self, name: str) -> Field:
        """Return the field called ``name``."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"section {self.name} has no field {name!r}")

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


SERVICE = Section(
    name="services",
    sheet="Service",
    label="Service répondant",
    help="Une seule ligne : le service qui répond, son référent données et les moyens consacrés à la donnée.",
    one_row=True,
    sheet_synonyms=("Identification", "Service répondant", "Répondant"),
    fields=(
        Field("service", "Service", "service", "Choisissez votre service dans la liste (sigle et nom).", required=True,
              synonyms=("nom du service", "service répondant", "structure", "direction", "organisme"), width=48),
        Field("referent_name", "Référent données (nom)", "text", "Prénom et nom du référent données du service.",
              personal=True, synonyms=("référent", "referent", "nom du référent", "référent données"), width=28),
        Field("referent_email", "Référent données (courriel)", "email", "Adresse électronique du référent.",
              personal=True, synonyms=("courriel", "email", "mail", "e-mail", "courriel du référent"), width=32),
        Field("referent_phone", "Référent données (téléphone)", "phone", "Numéro de téléphone du référent.",
              personal=True, synonyms=("téléphone", "tel", "tél"), width=18),
        Field("data_fte", "ETP consacrés à la donnée", "fte",
              "Effectif consacré à la gestion et à la valorisation des données, en équivalents temps plein (ex. 1,5).",
              synonyms=("etp", "effectif données", "etp données"), min_value=0, max_value=200),
        Field("answer_date", "Date de réponse", "date", "Date à laquelle le questionnaire a été rempli (JJ/MM/AAAA).",
              synonyms=("date", "date de saisie")),
        Field("comment", "Commentaire", "longtext", "Remarques libres sur la réponse.",
              synonyms=("remarques", "observations"), width=40),
    ),
)

CATEGORIES = Section(
    name="categories",
    sheet="Données",
    label="Catégories de données",
    help="Une ligne par grande catégorie de données détenue par le service (produite, acquise ou coproduite).",
    sheet_synonyms=("Donnees", "Catégories de données", "Inventaire", "Inventaire des données", "Data"),
    fields=(
        Field("title", "Intitulé", "text", "Nom court de la catégorie de données.", required=True, protected=True,
              synonyms=("titre", "nom", "catégorie", "nom de la donnée", "libellé"), width=40),
        Field("description", "Description", "longtext", "Contenu, finalité, périmètre.", protected=True,
              synonyms=("descriptif", "contenu"), width=50),
        Field("theme", "Thème", "choice", "Thème principal.", required=True, vocab=THEME,
              synonyms=("thématique", "domaine"), width=30),
        Field("origin", "Origine", "choice", "Produite par le service, acquise auprès d'un tiers ou coproduite.",
              required=True, vocab=ORIGIN, synonyms=("provenance", "source"), width=26),
        Field("supplier", "Fournisseur", "text", "Si acquise : organisme qui fournit la donnée.", protected=True,
              synonyms=("fournisseur de la donnée", "producteur", "tiers fournisseur"), width=26),
        Field("acquisition_mode", "Mode d'acquisition", "choice", "Si acquise : comment la donnée est obtenue.",
              vocab=ACQUISITION_MODE, synonyms=("mode d acquisition", "modalité d'acquisition"), width=28),
        Field("annual_cost", "Coût annuel (€)", "money", "Si acquise sous licence : coût annuel en euros.",
              synonyms=("coût", "cout", "coût annuel", "montant"), min_value=0, max_value=50_000_000),
        Field("diffusion", "Statut de diffusion", "choice",
              "Publiée en open data, publiable mais non publiée, restreinte aux partenaires ou non communicable.",
              required=True, vocab=DIFFUSION, synonyms=("diffusion", "statut", "confidentialité"), width=28),
        Field("legal_ground", "Fondement de la restriction", "choice",
              "Si restreinte ou non communicable : le motif légal (CRPA L311-5, L311-6…).", vocab=LEGAL_GROUND,
              synonyms=("motif", "motif de restriction", "fondement juridique", "base légale"), width=40),
        Field("personal_data", "Données personnelles", "bool", "La catégorie contient-elle des données à caractère personnel ?",
              synonyms=("données à caractère personnel", "dcp", "rgpd"), width=14),
        Field("geographic", "Donnée géographique", "bool", "La donnée est-elle localisée (donnée géographique) ?",
              synonyms=("géographique", "donnée géo", "localisée", "sig"), width=14),
        Field("inspire_theme", "Thème INSPIRE", "choice", "Si géographique : thème de la directive INSPIRE.",
              vocab=INSPIRE_THEME, synonyms=("inspire",), width=30),
        Field("formats", "Formats", "multichoice", "Formats disponibles, séparés par des points-virgules.",
              vocab=FORMAT, synonyms=("format",), width=22),
        Field("frequency", "Fréquence de mise à jour", "choice", "Rythme de mise à jour.", vocab=FREQUENCY,
              synonyms=("fréquence", "mise à jour", "actualisation"), width=22),
        Field("coverage", "Couverture géographique", "choice", "Étendue territoriale.", vocab=COVERAGE,
              synonyms=("couverture", "emprise", "territoire"), width=22),
        Field("platform", "Plateforme de publication", "choice", "Si publiée : où.", vocab=PLATFORM,
              synonyms=("plateforme", "lieu de publication"), width=24),
        Field("url", "Adresse de publication (URL)", "url", "Si publiée : adresse du jeu de données.", protected=True,
              synonyms=("url", "lien", "adresse"), width=36),
        Field("licence", "Licence", "choice", "Licence de réutilisation.", vocab=LICENCE,
              synonyms=("licence de réutilisation",), width=24),
        Field("tools", "Outils utilisés", "text", "Noms des outils qui exploitent la donnée (voir l'onglet Outils), séparés par des points-virgules.",
              protected=True, synonyms=("outils",), width=26),
        Field("comment", "Commentaire", "longtext", "Remarques libres.", protected=True,
              synonyms=("remarques", "observations"), width=30),
    ),
)

TOOLS = Section(
    name="tools",
    sheet="Outils",
    label="Outils et modes d'exploitation",
    help="Une ligne par outil utilisé pour exploiter ou valoriser les données.",
    sheet_synonyms=("Outils et logiciels", "Logiciels", "Tools"),
    fields=(
        Field("name", "Nom de l'outil", "text", "Nom du logiciel ou de l'application.", required=True,
              synonyms=("outil", "logiciel", "application", "nom"), width=28),
        Field("tool_type", "Type d'outil", "choice", "Catégorie d'outil.", required=True, vocab=TOOL_TYPE,
              synonyms=("type", "catégorie d'outil"), width=34),
        Field("software_licence", "Libre ou propriétaire", "choice", "Logiciel libre ou propriétaire.",
              vocab=SOFTWARE_LICENCE, synonyms=("licence", "libre / propriétaire"), width=18),
        Field("use", "Usage", "choice", "Valorisation interne, externe ou les deux.", vocab=USE,
              synonyms=("valorisation", "type d'usage"), width=22),
        Field("audience", "Public", "multichoice", "Publics de l'outil, séparés par des points-virgules.",
              vocab=AUDIENCE, synonyms=("publics", "public visé", "cible"), width=28),
        Field("users", "Nombre d'utilisateurs", "integer", "Nombre approximatif d'utilisateurs.",
              synonyms=("utilisateurs", "nb utilisateurs"), min_value=0, max_value=1_000_000),
        Field("annual_cost", "Coût annuel (€)", "money", "Licences, maintenance, hébergement (euros par an).",
              synonyms=("coût", "cout", "coût annuel"), min_value=0, max_value=50_000_000),
        Field("shared_with", "Partagé avec", "text", "Autres services qui utilisent le même outil (sigles).",
              synonyms=("mutualisé avec", "partage"), width=26),
        Field("categories", "Données exploitées", "text", "Intitulés des catégories de données exploitées, séparés par des points-virgules.",
              synonyms=("données", "catégories exploitées"), width=30),
        Field("comment", "Commentaire", "longtext", "Remarques libres.", synonyms=("remarques",), width=30),
    ),
)

ARRANGEMENTS = Section(
    name="arrangements",
    sheet="Dispositifs",
    label="Dispositifs partenariaux",
    help="Une ligne par dispositif partenarial de partage ou de valorisation de données auquel le service participe.",
    sheet_synonyms=("Dispositifs partenariaux", "Partenariats", "Partenariat"),
    fields=(
        Field("arrangement", "Dispositif", "arrangement", "Nom du dispositif (ex. Géo2France).", required=True,
              synonyms=("nom du dispositif", "partenariat", "dispositif partenarial", "nom"), width=34),
        Field("kind", "Nature", "choice", "Nature du dispositif.", vocab=ARRANGEMENT_KIND,
              synonyms=("type", "type de dispositif"), width=28),
        Field("partners", "Partenaires", "multichoice", "Types de partenaires impliqués, séparés par des points-virgules.",
              vocab=PARTNER, synonyms=("partenaires impliqués",), width=34),
        Field("role", "Rôle du service", "choice", "Rôle de votre service dans le dispositif.", vocab=ROLE,
              synonyms=("rôle", "role"), width=16),
        Field("total_budget", "Budget annuel total (€)", "money", "Budget annuel total du dispositif, tous financeurs.",
              synonyms=("budget", "budget total", "budget annuel"), min_value=0, max_value=100_000_000),
        Field("state_credits", "Dont crédits de l'État (€)", "money", "Part du budget annuel financée par l'État.",
              synonyms=("crédits état", "part état", "dont état"), min_value=0, max_value=100_000_000),
        Field("own_contribution", "Contribution du service (€)", "money", "Contribution annuelle de votre service.",
              synonyms=("contribution", "apport du service"), min_value=0, max_value=100_000_000),
        Field("governance_frame", "Cadre formel", "choice", "Convention, GIP, association, charte ou aucun.",
              vocab=GOVERNANCE_FRAME, synonyms=("cadre", "forme juridique", "gouvernance"), width=20),
        Field("governance_bodies", "Instances", "multichoice", "Instances de gouvernance, séparées par des points-virgules.",
              vocab=GOVERNANCE_BODY, synonyms=("instances de gouvernance", "comités"), width=30),
        Field("state_in_bodies", "L'État siège dans les instances", "bool", "Un représentant de l'État siège-t-il dans ces instances ?",
              synonyms=("représentation de l'état", "état dans les instances"), width=14),
        Field("fte", "ETP consacrés", "fte", "ETP de votre service consacrés au dispositif.",
              synonyms=("etp", "effectif"), min_value=0, max_value=100),
        Field("audiences", "Publics visés", "multichoice", "Publics cibles, séparés par des points-virgules.",
              vocab=AUDIENCE, synonyms=("publics", "cibles"), width=30),
        Field("productions", "Productions", "multichoice", "Productions du dispositif, séparées par des points-virgules.",
              vocab=PRODUCTION, synonyms=("réalisations", "livrables"), width=30),
        Field("start_date", "Début de la convention", "date", "Date de début de l'accord.",
              synonyms=("date de début", "début"), width=14),
        Field("end_date", "Fin de la convention", "date", "Date de fin de l'accord.",
              synonyms=("date de fin", "fin", "échéance"), width=14),
        Field("comment", "Commentaire", "longtext", "Remarques libres.", synonyms=("remarques",), width=30),
    ),
)

MATURITY = Section(
    name="maturity",
    sheet="Maturité",
    label="Auto-évaluation de la maturité (facultative)",
    help="Facultatif : situez votre service de 1 (initial) à 5 (optimisé) sur chaque dimension.",
    optional=True,
    sheet_synonyms=("Maturite", "Auto-évaluation", "Autoévaluation"),
    fields=(
        Field("dimension", "Dimension", "choice", "Dimension évaluée.", required=True, vocab=MATURITY_DIMENSION,
              synonyms=("axe",), width=32),
        Field("level", "Niveau (1 à 5)", "choice", "1 initial, 2 reproductible, 3 défini, 4 maîtrisé, 5 optimisé.",
              required=True, vocab=MATURITY_LEVEL, synonyms=("niveau", "note", "score"), width=20),
        Field("comment", "Commentaire", "longtext", "Justification, éléments de contexte.", synonyms=("remarques",), width=40),
    ),
)

SECTIONS: tuple[Section, ...] = (SERVICE, CATEGORIES, TOOLS, ARRANGEMENTS, MATURITY)
SECTIONS_BY_NAME: dict[str, Section] = {s.name: s for s in SECTIONS}

#: Columns every cleaned table carries besides its fields (provenance and resolution).
PROVENANCE_COLUMNS = ("service_id", "source_file", "source_sheet", "source_row", "row_id")

#: Extra columns of the cleaned service table, filled from the reference list.
SERVICE_REFERENCE_COLUMNS = ("service_acronym", "service_name", "ministry", "service_type", "departement",
                             "match_method", "match_score")

#: Extra columns of the cleaned arrangements table, filled from the reference list of arrangements.
ARRANGEMENT_REFERENCE_COLUMNS = ("arrangement_id", "arrangement_name", "arrangement_match_method",
                                 "arrangement_match_score")

#: Columns of the rejects table.
REJECT_COLUMNS = ("source_file", "source_sheet", "source_row", "column", "raw_value", "reason")


def personal_fields() -> list[tuple[str, str]]:
    """(section, field) pairs holding personal data."""
    return [(s.name, f.name) for s in SECTIONS for f in s.fields if f.personal]


def protected_fields(section: Section = CATEGORIES) -> list[str]:
    """Fields of a section hidden for restricted categories in the public edition."""
    return [f.name for f in section.fields if f.protected]
