"""The shipped FICTIONAL sample survey: a seeded generator of returned questionnaires.

Two waves (2019 and 2021) of answers from the Hauts-de-France State services listed in
``data/reference/``. Everything written is fictional: names, e-mails, figures, file names. The
generator first builds what each service answers (``generate_edition``, clean values, labels from
``analysis.model``), then writes one workbook per return (``write_returns``), planting the mess real
returns carry when ``mess=True``: French number formats, text dates, vocabulary synonyms, renamed
columns and sheets, blank and duplicated rows, extra sheets, a title line above the header, a few
unusable rows, one CSV export in cp1252, a non-questionnaire file, a service that sent two
versions, an unknown service and a misspelled one. Every planted anomaly is logged
(``EditionSample.mess_log``) and listed in the folder's ``LISEZMOI.txt``.

The CSV return: one service sends its workbook without the « Données » sheet and its data
categories as a separate ``<stem du classeur>_donnees.csv`` (cp1252, ``;``): the CSV belongs to the
workbook whose file stem it starts with.

Only ``numpy.random.default_rng`` is used, seeded from ``(seed, year, purpose)``: the same seed
gives the same cell values; workbook timestamps are fixed to the edition date so that the files
are byte-identical too.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import yaml

from analysis import model, paths
from analysis.model import (
    ARRANGEMENTS,
    CATEGORIES,
    MATURITY,
    SERVICE,
    TOOLS,
    Section,
    Vocabulary,
)

#: Reference dates of the shipped editions (the report's date, never the clock).
REFERENCE_DATES = {2019: dt.date(2019, 12, 16), 2021: dt.date(2021, 9, 30)}
#: Number of services answering each wave of the shipped sample (others: 60 % of the reference list).
RESPONDENTS = {2019: 30, 2021: 38}

SERVICES_CSV = paths.REFERENCE_DIR / "services-hauts-de-france.csv"
ARRANGEMENTS_CSV = paths.REFERENCE_DIR / "dispositifs-hauts-de-france.csv"
# ---------------------------------------------------------------------------------------------
# Content catalogues (fictional answers, realistic wording)
# ---------------------------------------------------------------------------------------------
# One line per data category: title | theme | origin (p produced, a acquired, c coproduced) |
# diffusion (pub, pbl, rst, nc) | legal ground code | INSPIRE code | personal (1/0) | formats |
# frequency | supplier (acquired or coproduced) | description.
_CATALOGUE_TEXT = """
[dreal]
Installations classées pour la protection de l'environnement (ICPE)|risks|p|pub||pf|0|csv;ogc|continuous||Base des installations classées suivies par l'inspection : régime, activités, rubriques.
Rapports d'inspection des installations classées|risks|p|rst|business||0|pdf|continuous||Rapports et suites des visites d'inspection des installations classées.
Sites et sols pollués (BASOL)|risks|p|pub||so|0|csv;ogc|irregular||Sites pollués appelant une action des pouvoirs publics.
Anciens sites industriels et activités de service (CASIAS)|risks|p|pub||pf|0|ogc|irregular||Inventaire historique des sites industriels.
Plans de prévention des risques technologiques (PPRT)|risks|p|pub||am|0|shp;ogc|irregular||Périmètres et règlements des PPRT approuvés.
Zonages Natura 2000 (ZPS, ZSC)|biodiversity|p|pub||ps|0|shp;ogc|annual||Périmètres des sites Natura 2000 de la région.
Zones naturelles d'intérêt écologique, faunistique et floristique (ZNIEFF)|biodiversity|p|pub||ps|0|shp;ogc|annual||Inventaire ZNIEFF de type 1 et 2.
Sites classés et inscrits|biodiversity|p|pbl||ps|0|shp|irregular||Périmètres des sites protégés au titre du code de l'environnement.
Inventaire des zones humides|water|c|pbl||hb|0|shp;gpkg|pluriannual|Conservatoire d'espaces naturels|Zones humides inventoriées et prélocalisées.
Localisation des espèces protégées sensibles|biodiversity|c|nc|other_secret|sd|0|shp|irregular|Conservatoire botanique national|Stations d'espèces sensibles dont la localisation précise n'est pas diffusée.
Qualité de l'air — mesures des stations|air|a|pub||ef|0|csv;api|continuous|Atmo Hauts-de-France|Mesures horaires des polluants réglementés.
Parc éolien terrestre|energy_climate|p|pub||er|0|csv;shp;ogc|monthly||Mâts construits et autorisés, puissance installée.
Projets éoliens en cours d'instruction|energy_climate|p|rst|preparatory|er|0|shp|continuous||Projets déposés, non encore autorisés.
Répertoire du parc locatif social (RPLS)|housing|a|pub||bu|0|csv|annual|SDES|Logements des bailleurs sociaux au 1er janvier.
Permis de construire et mises en chantier (Sitadel)|housing|a|rst|privacy|bu|1|csv;db|monthly|SDES|Autorisations d'urbanisme et déclarations d'ouverture de chantier, avec les pétitionnaires.
Enquête déplacements et comptages routiers|transport|p|pbl||tn|0|csv;xlsx|annual||Comptages permanents et temporaires sur le réseau.
Aides à la rénovation énergétique des logements (Anah)|housing|a|rst|privacy||1|xlsx|quarterly|Anah|Dossiers d'aides instruits, avec les bénéficiaires.
Inventaire régional des émissions de gaz à effet de serre|energy_climate|c|pub|||0|csv;xlsx|annual|Atmo Hauts-de-France|Émissions par secteur et par commune.
Carrières autorisées et schéma régional des carrières|urbanism|p|pub||mr|0|shp;ogc|irregular||Carrières autorisées, gisements, orientations du schéma.
Installations de traitement des déchets|waste|p|pbl||pf|0|csv|annual||Installations de stockage et de valorisation des déchets.
Cartes de bruit stratégiques|air|p|pub||am|0|shp;pdf|pluriannual||Cartes de bruit des grandes infrastructures.
Contrôles des transports routiers|transport|p|nc|court||1|db|continuous||Contrôles en entreprise et sur route, infractions relevées.
Registre des entreprises de transport routier|transport|p|pub|||0|csv|monthly||Entreprises inscrites au registre et licences.
Ouvrages hydrauliques et digues classées|risks|p|rst|state_security|nz|0|shp|irregular||Ouvrages de protection contre les inondations et leurs gestionnaires.
Avis de l'autorité environnementale|urbanism|p|pub|||0|pdf|continuous||Avis rendus sur les projets, plans et programmes.
Contentieux des installations classées|risks|p|nc|court||1|xlsx|continuous||Recours et procédures juridictionnelles en cours.
Mises en demeure et sanctions administratives|risks|p|pbl|||0|csv|continuous||Arrêtés de mise en demeure et sanctions prononcées.
Hydrométrie — hauteurs d'eau et débits|water|p|pub||ef|0|api;csv|continuous||Mesures des stations hydrométriques.
Trame verte et bleue|biodiversity|c|pub||hb|0|shp;ogc|pluriannual|Région Hauts-de-France|Continuités écologiques régionales.
Installations de production d'électricité renouvelable|energy_climate|a|pub||er|0|csv|quarterly|Enedis|Installations raccordées par filière.
Plan de relance — projets de transition écologique|economy|p|pbl|||0|xlsx|monthly||Projets financés et montants engagés.
Inventaire du patrimoine géologique|biodiversity|p|pbl||ge|0|shp|irregular||Sites géologiques remarquables.
Effectifs et compétences des agents|administration|p|nc|privacy||1|xlsx|annual||Données de gestion des ressources humaines du service.
Observatoire des loyers et des prix du logement|housing|c|pub|||0|csv;xlsx|annual|Agences d'urbanisme|Loyers et prix observés par zone.
[ddt]
Documents d'urbanisme (PLU, PLUi, cartes communales)|urbanism|c|pub||lu|0|shp;ogc|irregular|Communes et EPCI|Zonages et prescriptions des documents d'urbanisme numérisés.
Application du droit des sols — dossiers d'autorisation|urbanism|p|rst|privacy||1|db|continuous||Dossiers de permis instruits pour le compte des communes.
Porter à connaissance de l'État|urbanism|p|pbl|||0|pdf|irregular||Informations transmises aux collectivités qui élaborent un document d'urbanisme.
Aides de la PAC — dossiers des exploitants|agriculture|p|nc|privacy|af|1|db|annual||Déclarations et paiements des aides de la politique agricole commune.
Atlas des zones inondables (AZI)|risks|p|pub||nz|0|shp;ogc|none||Zones inondables cartographiées par méthode hydrogéomorphologique.
Plans de prévention des risques naturels (PPRN)|risks|p|pub||nz|0|shp;ogc;pdf|irregular||Zonages réglementaires des PPRN approuvés.
Classement sonore des voies|air|p|pub||am|0|shp|pluriannual||Voies classées et secteurs affectés par le bruit.
Plans de chasse et dégâts de gibier|agriculture|p|rst|privacy||1|xlsx|annual||Attributions de plans de chasse par territoire et par détenteur.
Autorisations et déclarations loi sur l'eau|water|p|pbl||am|0|csv;shp|continuous||Installations, ouvrages, travaux et activités soumis à la loi sur l'eau.
Contrôles de la police de l'eau|water|p|rst|court||0|xlsx|continuous||Contrôles réalisés et suites données.
Signalements de logements indignes|housing|p|nc|privacy||1|xlsx|continuous||Signalements, visites et procédures d'habitat indigne.
Accessibilité des établissements recevant du public|urbanism|p|pbl|||0|xlsx|continuous||Agendas d'accessibilité programmée déposés.
Quartiers en renouvellement urbain|urbanism|p|pub||am|0|shp|irregular||Périmètres et opérations de renouvellement urbain.
Observatoire départemental de la sécurité routière|transport|p|pub||tn|0|xlsx;pdf|annual||Bilans annuels de l'accidentalité départementale.
Servitudes d'utilité publique|urbanism|p|pub||am|0|shp;ogc|irregular||Servitudes numérisées au standard CNIG.
Consommation d'espaces naturels, agricoles et forestiers|urbanism|p|pbl||lu|0|shp;csv|annual||Suivi de l'artificialisation par commune.
Aides à la pierre et programmation du logement social|housing|p|pbl|||0|xlsx|annual||Logements sociaux financés par commune.
Commission départementale de préservation des espaces agricoles|agriculture|p|rst|preparatory||0|pdf|monthly||Dossiers examinés et avis rendus.
Zones de répartition des eaux et restrictions sécheresse|water|p|pub||am|0|shp;pdf|irregular||Arrêtés et zones de restriction des usages de l'eau.
[ddtm]
Domaine public maritime|sea|p|pub||am|0|shp|irregular||Délimitation du domaine public maritime naturel.
Autorisations d'occupation du domaine public maritime|sea|p|pbl|||0|xlsx|continuous||Titres d'occupation délivrés sur le littoral.
Concessions de cultures marines|sea|p|rst|privacy|af|1|shp;xlsx|irregular||Concessions conchylicoles et leurs titulaires.
Suivi du trait de côte|sea|c|pub||nz|0|shp|annual|Réseau d'observation du littoral|Évolution du trait de côte par levés.
[draaf]
Registre parcellaire graphique anonymisé (RPG)|agriculture|a|pub||lu|0|shp;gpkg|annual|ASP|Îlots et cultures déclarés à la PAC, anonymisés.
Statistique agricole annuelle (Agreste)|agriculture|p|pub|||0|csv;xlsx|annual||Surfaces, productions et cheptels.
Recensement agricole — données individuelles|agriculture|p|nc|other_secret||1|db|pluriannual||Réponses individuelles des exploitations au recensement.
Forêts publiques et documents de gestion durable|agriculture|c|pbl||lu|0|shp|pluriannual|ONF|Forêts relevant du régime forestier et plans de gestion.
Abattoirs et établissements agréés|food|p|pub||pf|0|csv|quarterly||Liste des établissements agréés.
Inspections sanitaires des établissements agroalimentaires|food|p|rst|business||0|db|continuous||Résultats détaillés des inspections.
Projets alimentaires territoriaux|food|p|pub|||0|xlsx|annual||Projets reconnus et territoires couverts.
Effectifs de l'enseignement agricole|education|p|pub|||0|xlsx|annual||Élèves et apprentis par établissement agricole.
Aides à l'installation des jeunes agriculteurs|agriculture|p|rst|privacy||1|xlsx|continuous||Dossiers d'aides et bénéficiaires.
Bulletins de santé du végétal|agriculture|c|pub|||0|pdf|weekly|Chambre régionale d'agriculture|Surveillance biologique du territoire.
Prix et marchés agricoles|agriculture|a|rst|third_party_ip||0|xlsx|monthly|FranceAgriMer|Cotations et indicateurs de marché.
Ventes de produits phytopharmaceutiques (BNVD)|agriculture|a|pub|||0|csv|annual|OFB|Ventes par code postal acheteur.
Parcelles en agriculture biologique|agriculture|a|pub||lu|0|shp|annual|Agence Bio|Parcelles certifiées et en conversion.
Calamités agricoles — indemnisations|agriculture|p|rst|privacy||1|xlsx|irregular||Dossiers d'indemnisation.
[ars]
Établissements sanitaires et sociaux (FINESS)|health|p|pub||us|0|csv|continuous||Répertoire des établissements et de leurs autorisations.
Autorisations d'activités de soins|health|p|pub|||0|csv;xlsx|continuous||Autorisations délivrées et échéances.
Qualité des eaux de baignade|health|p|pub||ef|0|csv;pdf|weekly||Résultats du contrôle sanitaire des sites de baignade.
Qualité de l'eau potable (contrôle sanitaire)|health|p|pub||us|0|csv|monthly||Résultats d'analyses par unité de distribution.
Veille sanitaire — maladies à déclaration obligatoire|health|p|nc|medical||1|db|continuous||Signalements individuels reçus par la plateforme de veille.
Activité hospitalière (PMSI)|health|a|nc|medical||1|db|annual|ATIH|Séjours hospitaliers issus du PMSI.
Démographie des professionnels de santé|health|a|pbl|||0|csv|annual|Ministère de la santé (RPPS)|Professionnels en exercice par territoire.
Couverture vaccinale|health|c|pub|||0|xlsx|annual|Santé publique France|Taux de couverture par territoire.
Procédures d'habitat insalubre|housing|p|nc|privacy||1|xlsx|continuous||Arrêtés et procédures en cours.
Tours aéroréfrigérantes et légionelles|health|p|rst|business||0|xlsx|continuous||Installations suivies et résultats d'analyses.
Inspections des établissements de santé|health|p|rst|value_judgement||0|pdf|continuous||Rapports d'inspection et de contrôle.
Plaintes et réclamations des usagers|health|p|nc|privacy||1|db|continuous||Réclamations reçues et suites données.
Potentiel radon des communes|health|a|pub||nz|0|csv|none|IRSN|Classement des communes selon leur potentiel radon.
[dreets]
Demandeurs d'emploi par territoire|economy|a|pub|||0|xlsx|quarterly|Pôle emploi|Demandeurs d'emploi par catégorie et par zone d'emploi.
Structures de l'insertion par l'activité économique|social|p|pub|||0|csv|annual||Structures conventionnées et postes financés.
Hébergement d'urgence — demandes et orientations (SI-SIAO)|social|p|nc|privacy||1|db|continuous||Demandes d'hébergement et parcours des personnes.
Contrôles de l'inspection du travail|economy|p|nc|business||1|db|continuous||Interventions, constats et suites en entreprise.
Accidents du travail graves et mortels|economy|p|rst|privacy||1|xlsx|continuous||Accidents signalés et enquêtes.
Activité partielle — demandes des entreprises|economy|p|rst|business||0|db|monthly||Demandes d'autorisation et heures indemnisées.
Plans de sauvegarde de l'emploi|economy|p|rst|business||0|xlsx|continuous||Procédures de licenciement économique suivies.
Contrats d'apprentissage enregistrés|economy|p|pub|||0|csv|monthly||Contrats par secteur et par niveau.
Métrologie légale — instruments contrôlés|economy|p|pbl|||0|xlsx|annual||Contrôles des instruments de mesure.
Enquêtes concurrence et consommation|economy|p|nc|court||0|db|continuous||Enquêtes et procédures engagées.
Tableau de bord régional de l'emploi|economy|c|pub|||0|pdf;xlsx|quarterly|C2RP|Indicateurs conjoncturels de l'emploi.
Organismes de formation déclarés|education|p|pub|||0|csv|monthly||Organismes déclarés et bilans pédagogiques.
[ddets]
Places d'hébergement d'urgence|social|p|pbl|||0|xlsx|monthly||Places ouvertes par structure.
Demandes d'hébergement du département (SIAO)|social|p|nc|privacy||1|db|continuous||Demandes individuelles du SIAO départemental.
Droit au logement opposable (DALO)|housing|p|nc|privacy||1|db|continuous||Recours et décisions de la commission de médiation.
Contingent préfectoral de logements sociaux|housing|p|rst|privacy||1|xlsx|continuous||Logements réservés et ménages relogés.
Accueil des demandeurs d'asile|social|p|rst|state_security||0|xlsx|monthly||Places et taux d'occupation des centres.
Quartiers prioritaires de la politique de la ville|social|a|pub||su|0|shp|irregular|ANCT|Périmètres des quartiers prioritaires.
Mandataires judiciaires à la protection des majeurs|social|p|pbl|||0|xlsx|annual||Mandataires agréés et mesures.
Contrôles des entreprises (unité de contrôle)|economy|p|nc|business||1|db|continuous||Contrôles de l'inspection du travail du département.
[drfip]
Demandes de valeurs foncières (DVF)|public_finance|p|pub||cp|0|csv|semiannual||Mutations immobilières des cinq dernières années.
Plan cadastral informatisé (PCI)|territory|p|pub||cp|0|shp;ogc|quarterly||Plan cadastral vectoriel.
Fichiers fonciers (MAJIC)|public_finance|p|nc|tax_customs|cp|1|db|annual||Fichiers des propriétés bâties et non bâties et de leurs propriétaires.
Fiscalité locale — bases et taux|public_finance|p|pub|||0|csv;xlsx|annual||Bases d'imposition et taux votés par collectivité.
Comptes des collectivités locales|public_finance|p|pub|||0|csv|annual||Balances comptables des collectivités.
Inventaire immobilier de l'État|public_finance|p|pbl||bu|0|xlsx|annual||Biens immobiliers de l'État et leur occupation.
Évaluations domaniales|public_finance|p|rst|business||0|pdf|continuous||Avis de valeur rendus aux collectivités.
Programmes de contrôle fiscal|public_finance|p|nc|tax_customs||1|db|annual||Dossiers programmés et résultats.
Impôt sur le revenu — agrégats communaux|public_finance|p|pub|||0|csv|annual||Revenus déclarés et impôt par commune.
Paie des agents de l'État|administration|p|nc|privacy||1|db|monthly||Données de paie.
Dépenses de l'État en région (Chorus)|public_finance|p|pbl|||0|xlsx|monthly||Crédits consommés par programme.
Marchés publics — données essentielles|public_finance|p|pub|||0|json;xml|continuous||Données essentielles des marchés publics.
[rectorat]
Effectifs d'élèves par établissement|education|p|pub||us|0|csv|annual||Élèves du premier et du second degré.
Indice de position sociale des établissements (IPS)|education|p|pub|||0|csv|annual||IPS des écoles et collèges.
Carte scolaire et secteurs de recrutement|education|p|pbl||us|0|shp|annual||Secteurs des collèges et des lycées.
Résultats aux examens|education|p|pub|||0|csv|annual||Résultats au diplôme national du brevet et au baccalauréat.
Décrochage scolaire — jeunes suivis|education|p|nc|privacy||1|db|continuous||Jeunes sortis sans diplôme suivis par les plateformes.
Dotations horaires des établissements|education|p|pbl|||0|xlsx|annual||Moyens d'enseignement alloués.
Annuaire des établissements scolaires|education|p|pub||us|0|csv;api|continuous||Établissements publics et privés sous contrat.
Évaluations nationales des élèves|education|p|rst|other_secret||1|db|annual||Résultats individuels aux évaluations.
Affectations des personnels enseignants|education|p|nc|privacy||1|db|annual||Postes et affectations.
Vœux et affectations Parcoursup|education|a|rst|privacy||1|csv|annual|Ministère de l'enseignement supérieur|Vœux des candidats de l'académie.
Bâti scolaire — diagnostics|education|c|pbl||bu|0|xlsx|pluriannual|Collectivités|État du bâti des établissements.
[drac]
Monuments historiques classés et inscrits|culture|p|pub||ps|0|shp;csv|continuous||Immeubles protégés au titre des monuments historiques.
Périmètres délimités des abords|culture|p|pub||ps|0|shp|irregular||Abords des monuments historiques.
Sites patrimoniaux remarquables|culture|p|pub||ps|0|shp|irregular||Périmètres et règlements.
Carte archéologique — sites et entités archéologiques|culture|p|nc|other_secret|ps|0|db;shp|continuous||Localisation des sites archéologiques (non communicable, risque de pillage).
Zones de présomption de prescription archéologique|culture|p|pub||am|0|shp|irregular||Zones où les projets sont transmis au service régional de l'archéologie.
Opérations d'archéologie préventive|culture|p|rst|preparatory||0|xlsx|continuous||Prescriptions et opérations en cours.
Équipements et lieux culturels labellisés|culture|p|pub||us|0|csv|annual||Musées, scènes et lieux labellisés.
Subventions aux acteurs culturels|culture|p|pbl|||0|xlsx|annual||Subventions attribuées par programme.
Objets mobiliers protégés|culture|p|rst|state_security||0|db|continuous||Objets classés et leur localisation.
[prefecture]
Résultats des élections|administration|a|pub|||0|csv|irregular|Ministère de l'intérieur|Résultats par bureau de vote.
Listes électorales (REU)|administration|a|nc|privacy||1|db|continuous|Insee|Extraits du répertoire électoral unique.
Accidents corporels de la circulation (BAAC)|transport|p|rst|privacy|tn|1|db|continuous||Bulletins d'analyse des accidents corporels.
Polices administratives — armes et débits de boissons|security|p|nc|state_security||1|db|continuous||Autorisations et mesures de police.
Titres de séjour — demandes instruites|administration|p|nc|privacy||1|db|continuous||Demandes de titres et décisions.
Associations déclarées (RNA)|administration|p|pub|||0|csv|continuous||Répertoire national des associations.
Recueil des actes administratifs|administration|p|pub|||0|pdf|weekly||Arrêtés préfectoraux publiés.
Plan ORSEC et établissements sensibles|security|p|nc|state_security|us|0|pdf;shp|irregular||Dispositifs de gestion de crise.
Vidéoprotection — autorisations|security|p|nc|state_security||0|xlsx|continuous||Systèmes autorisés.
Dotations d'investissement aux collectivités (DETR, DSIL)|public_finance|p|pub|||0|xlsx|annual||Projets subventionnés.
Périmètres des intercommunalités|territory|p|pub||au|0|shp|annual||Périmètres et compétences des EPCI.
Contrôle de légalité — actes reçus|administration|p|rst|preparatory||0|db|continuous||Actes transmis par les collectivités.
Installations classées agricoles (élevages)|agriculture|p|pub||af|0|csv|continuous||Élevages soumis à autorisation ou enregistrement.
[sgar]
Plan de relance — projets financés en région|economy|p|pub|||0|xlsx;csv|monthly||Projets lauréats et montants.
Contrat de plan État-Région — suivi|public_finance|p|pbl|||0|xlsx|semiannual||Engagements par volet.
Fonds européens — opérations programmées|economy|a|pub|||0|csv|quarterly|Région Hauts-de-France|Opérations financées par le FEDER et le FSE.
Effectifs des services de l'État en région|administration|p|rst|privacy||1|xlsx|annual||Effectifs par service et par programme.
Schéma directeur immobilier de l'État|public_finance|p|rst|state_security|bu|0|xlsx|pluriannual||Implantations immobilières et projets.
Zonages de l'action publique (ZRR, ACV, PVD)|territory|p|pub||am|0|shp;csv|irregular||Communes et territoires bénéficiaires.
Baromètre territorial de l'action publique|economy|c|pub|||0|csv|quarterly|Services de l'État|Indicateurs de déploiement des politiques prioritaires.
Main courante de la cellule de crise|security|p|nc|state_security||1|db|continuous||Événements suivis en cellule de crise.
Subventions aux collectivités — suivi régional|public_finance|p|pbl|||0|xlsx|quarterly||Subventions d'investissement par programme.
[aeap]
Qualité des cours d'eau (réseau de surveillance)|water|p|pub||ef|0|csv;api|monthly||Résultats physico-chimiques et biologiques.
Qualité des eaux souterraines|water|p|pub||ef|0|csv|quarterly||Suivi des nappes du bassin.
Redevances — assiette par redevable|water|p|nc|business||0|db|annual||Redevances de prélèvement et de pollution par redevable.
Aides attribuées par le programme d'intervention|water|p|pub|||0|csv|annual||Aides décidées par opération.
Prélèvements d'eau par usage|water|p|pbl||hy|0|csv|annual||Volumes prélevés déclarés.
Stations de traitement des eaux usées|water|a|pub||us|0|csv|annual|Ministère de la transition écologique|Conformité des stations.
État des lieux du SDAGE|water|p|pub||am|0|shp;pdf|pluriannual||Masses d'eau et pressions.
Zones vulnérables aux nitrates|water|p|pub||am|0|shp|pluriannual||Communes classées en zone vulnérable.
Référentiel hydrographique (BD TOPAGE)|water|c|pub||hy|0|shp;ogc|annual|IGN|Réseau hydrographique de référence.
Captages d'eau potable prioritaires|water|c|rst|state_security|us|0|shp|irregular|ARS|Localisation des captages.
Pollutions accidentelles|water|p|rst|court||0|xlsx|continuous||Pollutions signalées et suites.
[ofb]
Observations naturalistes des agents|biodiversity|p|pbl||sd|0|csv;shp|continuous||Observations de faune et de flore.
Contrôles de la police de l'environnement|biodiversity|p|nc|court||1|db|continuous||Contrôles et procédures.
Titulaires du permis de chasser|security|p|nc|privacy||1|db|continuous||Fichier des permis délivrés et validés.
Pêches électriques et peuplements piscicoles|water|p|pub||sd|0|csv|annual||Inventaires piscicoles.
Observatoire national des étiages|water|p|pub||ef|0|csv|monthly||Écoulement des cours d'eau en été.
Espèces exotiques envahissantes|biodiversity|c|pub||sd|0|csv|irregular|Conservatoire botanique national|Signalements d'espèces exotiques envahissantes.
Dégâts de grand gibier|agriculture|p|rst|privacy||1|xlsx|annual||Dossiers d'indemnisation.
Aires protégées|biodiversity|c|pub||ps|0|shp|annual|Gestionnaires d'espaces naturels|Aires protégées et leur gestion.
[cerema]
Valeurs foncières enrichies (DV3F)|urbanism|p|rst|privacy|cp|1|db|annual||Mutations géolocalisées et enrichies.
Fichiers fonciers retraités|urbanism|p|rst|privacy|cp|1|db|annual||Fichiers fonciers enrichis pour l'analyse.
Comptages routiers|transport|p|pub||tn|0|csv|annual||Trafics moyens journaliers.
Observatoire de l'artificialisation des sols|urbanism|p|pub||lu|0|csv|annual||Flux de consommation d'espaces.
Indicateur national de l'érosion côtière|sea|p|pub||nz|0|shp|pluriannual||Évolution du trait de côte.
Inspections des ouvrages d'art|transport|p|rst|state_security|tn|0|db|annual||État des ponts et tunnels inspectés.
Accessibilité des arrêts et des gares|transport|p|pbl||tn|0|csv|irregular||Diagnostics d'accessibilité.
Études et expertises territoriales|urbanism|p|pbl|||0|pdf|irregular||Rapports d'études.
[ademe]
Aides attribuées par l'ADEME|energy_climate|p|pub|||0|csv|annual||Aides par bénéficiaire et par dispositif.
Diagnostics de performance énergétique (DPE)|housing|a|pub||bu|0|csv;api|continuous|Observatoire DPE|DPE des logements.
Collecte et traitement des déchets ménagers (SINOE)|waste|p|pub|||0|csv|annual||Tonnages collectés et traités.
Bilans d'émissions de gaz à effet de serre des organisations|energy_climate|a|pub|||0|csv|annual|Organisations assujetties|Bilans publiés.
Réseaux de chaleur|energy_climate|c|pub||us|0|shp|annual|Collectivités|Tracés et mix énergétique.
Dossiers Fonds chaleur|energy_climate|p|rst|business||0|xlsx|continuous||Projets instruits et aides.
Installations de méthanisation|energy_climate|c|pbl||er|0|csv|annual|GRDF|Unités en service et en projet.
Inventaire des friches|urbanism|c|pub||lu|0|shp|annual|Cerema|Friches recensées.
[insee]
Recensement de la population — résultats|territory|p|pub||pd|0|csv|annual||Populations légales et résultats statistiques.
Estimations d'emploi localisées|economy|p|pub|||0|xlsx|annual||Emploi salarié et non salarié.
Revenus et pauvreté (Filosofi)|social|p|pub||pd|0|csv|annual||Revenus disponibles et taux de pauvreté.
Recensement — fichiers individuels|territory|p|nc|other_secret||1|db|annual||Réponses individuelles.
Répertoire des entreprises et des établissements (SIRENE)|economy|p|pub|||0|csv;api|daily||Répertoire des unités légales.
Enquêtes auprès des ménages — fichiers détail|social|p|nc|other_secret||1|db|annual||Réponses individuelles aux enquêtes.
Base permanente des équipements|territory|p|pub||us|0|csv|annual||Équipements et services par commune.
Zonages d'étude|territory|p|pub||su|0|shp;csv|irregular||Zones d'emploi, aires d'attraction des villes.
Études régionales|territory|c|pub|||0|pdf|monthly|Partenaires régionaux|Publications régionales.
Données carroyées|territory|p|pub||su|0|csv;gpkg|pluriannual||Caractéristiques de la population sur carreaux de 200 m.
Statistiques structurelles d'entreprises (Ésane)|economy|p|rst|other_secret||0|db|annual||Comptes des entreprises.
[dirm]
Navires de pêche et licences|sea|p|rst|business||0|db|continuous||Flotte et autorisations de pêche.
Débarquements de la pêche|sea|a|pbl|||0|csv|monthly|FranceAgriMer|Volumes débarqués par port.
Plan de contrôle des pêches|sea|p|nc|court||0|xlsx|annual||Contrôles et infractions.
Document stratégique de façade|sea|c|pub||sr|0|shp;pdf|pluriannual|Acteurs de la façade|Zonage et objectifs.
Balisage et aides à la navigation|sea|p|pub||tn|0|shp|irregular||Établissements de signalisation maritime.
Zones propices aux énergies marines renouvelables|sea|p|pub||er|0|shp|irregular||Zones d'appel d'offres.
Marins enrôlés|sea|p|nc|privacy||1|db|continuous||Gens de mer et titres.
Événements de sécurité maritime|sea|p|rst|state_security||0|db|continuous||Opérations coordonnées.
[dir]
Réseau routier national — référentiel|transport|p|pub||tn|0|shp;ogc|annual||Réseau géré et points de repère.
Comptages de trafic|transport|p|pub||tn|0|csv|daily||Stations de comptage permanentes.
Viabilité hivernale|transport|p|pbl|||0|xlsx|daily||Interventions et état des routes.
Accidents sur le réseau routier national|transport|p|rst|privacy|tn|1|xlsx|continuous||Accidents et interventions.
État des ouvrages d'art|transport|p|rst|state_security|tn|0|db|annual||Inspections et cotations.
Chantiers et restrictions de circulation|transport|p|pub||tn|0|api|continuous||Événements de circulation.
Patrimoine routier — chaussées|transport|p|pbl||tn|0|db|annual||État des chaussées.
[vnf]
Réseau des voies navigables|transport|p|pub||tn|0|shp|annual||Voies, gabarits, ouvrages.
Trafic fluvial de marchandises|transport|p|pub|||0|csv|monthly||Tonnages par section.
Écluses et barrages|transport|p|pub||tn|0|csv;shp|annual||Ouvrages de navigation.
Occupations du domaine public fluvial|transport|p|rst|business||0|xlsx|continuous||Conventions d'occupation.
Canal Seine-Nord Europe — données de projet|transport|c|rst|preparatory|tn|0|shp|irregular|Société du canal Seine-Nord Europe|Études de projet.
Niveaux d'eau et débits des canaux|water|p|pub||hy|0|api|continuous||Mesures aux ouvrages.
[ddpp]
Établissements agroalimentaires agréés|food|p|pub||pf|0|csv|monthly||Établissements et activités agréées.
Résultats des contrôles sanitaires (Alim'confiance)|food|p|pub|||0|csv|daily||Niveaux d'hygiène publiés.
Élevages classés|agriculture|p|pub||af|0|csv|continuous||Élevages soumis à autorisation.
Foyers de maladies animales|agriculture|p|rst|privacy|af|1|xlsx|continuous||Foyers déclarés et mesures.
Enquêtes de concurrence et de consommation|food|p|nc|court||0|db|continuous||Enquêtes menées.
Toxi-infections alimentaires collectives|health|p|nc|medical||1|xlsx|continuous||Déclarations et enquêtes.
[drajes]
Équipements sportifs (RES)|youth_sport|p|pub||us|0|csv;api|continuous||Recensement des équipements sportifs.
Associations agréées jeunesse et sport|youth_sport|p|pub|||0|csv|annual||Associations agréées.
Accueils collectifs de mineurs|youth_sport|p|rst|privacy||1|db|continuous||Déclarations d'accueils et encadrants.
Missions de service civique|youth_sport|a|pub|||0|csv|monthly|Agence du service civique|Missions proposées.
Licences sportives par commune|youth_sport|a|pub|||0|csv|annual|INJEP|Licences délivrées.
Cartes professionnelles des éducateurs sportifs|youth_sport|p|nc|privacy||1|db|continuous||Éducateurs déclarés.
[security]
Statistiques de la délinquance enregistrée|security|p|pbl|||0|xlsx|monthly||Faits constatés par commune.
Interventions et événements|security|p|nc|state_security||1|db|continuous||Main courante opérationnelle.
Implantations et moyens|security|p|nc|defence|us|0|xlsx|annual||Emprises et moyens.
Personnes suivies|security|p|nc|privacy||1|db|continuous||Dossiers individuels.
Procédures et contentieux|security|p|nc|court||1|db|continuous||Procédures en cours.
Bilans d'activité publiés|security|p|pub|||0|pdf|annual||Rapports annuels.
[onf]
Forêts relevant du régime forestier|agriculture|p|pub||lu|0|shp|annual||Parcellaire forestier.
Aménagements forestiers|agriculture|p|pbl|||0|pdf|irregular||Documents de gestion.
Ventes de bois|agriculture|p|rst|business||0|xlsx|quarterly||Ventes par lot et acheteur.
Dessertes forestières|agriculture|p|pub||tn|0|shp|annual||Routes et pistes.
Suivi sanitaire des forêts|agriculture|c|pub|||0|csv|annual|DSF|Dépérissements observés.
[brgm]
Banque du sous-sol (BSS)|risks|p|pub||ge|0|csv;api|continuous||Forages et ouvrages souterrains.
Cavités souterraines|risks|p|pub||nz|0|shp|irregular||Inventaire des cavités.
Piézométrie des nappes|water|p|pub||ef|0|api|daily||Niveaux des nappes.
Aléa retrait-gonflement des argiles|risks|p|pub||nz|0|shp|none||Cartographie de l'aléa.
[meteo]
Observations des stations météorologiques|air|p|pbl||mf|0|csv|daily||Mesures des stations du réseau.
Vigilance météorologique|risks|p|pub||nz|0|api|continuous||Cartes et bulletins de vigilance.
Normales climatiques|energy_climate|p|rst|third_party_ip|mf|0|csv|pluriannual||Normales sur trente ans.
Projections climatiques régionalisées|energy_climate|p|pub||mf|0|csv|irregular||Scénarios climatiques.
[pole_emploi]
Offres d'emploi collectées|economy|p|pub|||0|api|daily||Offres publiées.
Demandeurs d'emploi — fichier historique|economy|p|nc|privacy||1|db|monthly||Données individuelles des demandeurs.
Besoins en main-d'œuvre (BMO)|economy|p|pub|||0|xlsx|annual||Enquête annuelle.
Prestations et formations prescrites|economy|p|rst|privacy||1|db|monthly||Actions d'accompagnement.
[epf]
Portage foncier — acquisitions|urbanism|p|rst|business|cp|0|xlsx|continuous||Biens acquis pour le compte des collectivités.
Friches traitées|urbanism|p|pub||lu|0|shp|annual||Sites requalifiés.
Observatoire foncier régional|urbanism|c|pbl|||0|xlsx|annual|DREAL|Indicateurs fonciers.
[other]
Indicateurs d'activité du service|administration|p|pbl|||0|xlsx|annual||Tableau de bord d'activité.
Dossiers des usagers|administration|p|nc|privacy||1|db|continuous||Dossiers individuels instruits.
Budget et dépenses du service|public_finance|p|pbl|||0|xlsx|annual||Exécution budgétaire.
Annuaire des partenaires|administration|p|rst|privacy||1|xlsx|irregular||Coordonnées des interlocuteurs.
Études et rapports publiés|administration|p|pub|||0|pdf|irregular||Publications du service.
Subventions attribuées|public_finance|p|pub|||0|csv|annual||Subventions par bénéficiaire.
Contrôles réalisés|administration|p|rst|court||0|xlsx|continuous||Contrôles et suites.
"""

# External data bought or obtained by several services (the pooling finding).
# key: (title, supplier, mode in 2019, mode from 2021, cost range, diffusion, ground, INSPIRE, theme,
#       profiles that acquire it, probability).
_EXTERNAL = (
    ("bdtopo", "BD TOPO", "IGN", "free_agreement", "open_data", None, "rst", "third_party_ip", "tn", "territory",
     ("dreal", "ddt", "ddtm", "draaf", "aeap", "ofb", "cerema", "sgar", "prefecture", "dir", "vnf", "onf", "ars"), 0.6),
    ("bdortho", "BD ORTHO", "IGN", "free_agreement", "open_data", None, "rst", "third_party_ip", "oi", "territory",
     ("dreal", "ddt", "ddtm", "draaf", "drac", "ofb", "cerema", "prefecture"), 0.45),
    ("orthoregion", "Orthophotographie régionale haute résolution", "Géo2France", "free_agreement", "free_agreement",
     None, "pub", None, "oi", "territory", ("dreal", "ddt", "ddtm", "sgar", "drac", "epf"), 0.35),
    ("meteo", "Données climatologiques et observations météorologiques", "Météo-France", "paid_licence",
     "paid_licence", (3000, 15000), "rst", "third_party_ip", "mf", "energy_climate",
     ("dreal", "draaf", "ddtm", "ars", "aeap", "prefecture", "ofb", "dir"), 0.55),
    ("fluxvision", "Fréquentation touristique et mobilités (Flux Vision)", "Orange Business Services", "paid_licence",
     "paid_licence", (12000, 42000), "rst", "third_party_ip", None, "transport",
     ("sgar", "dreal", "dreets", "prefecture", "cerema"), 0.6),
    ("altares", "Fichier d'entreprises et données financières", "Altares", "paid_licence", "paid_licence",
     (6000, 18000), "rst", "third_party_ip", None, "economy", ("dreets", "ddets", "sgar", "draaf", "dreal"), 0.6),
    ("routing", "Calcul d'itinéraires et de temps d'accès", "Esri France (données HERE)", "paid_licence",
     "paid_licence", (4000, 12000), "rst", "third_party_ip", "tn", "transport",
     ("ars", "dreal", "prefecture", "rectorat", "cerema", "sgar"), 0.4),
    ("dv3f", "Valeurs foncières enrichies (DV3F)", "Cerema", "free_agreement", "free_agreement", None, "rst",
     "privacy", "cp", "urbanism", ("dreal", "ddt", "ddtm", "sgar", "epf"), 0.5),
    ("ff", "Fichiers fonciers retraités", "Cerema", "free_agreement", "free_agreement", None, "rst", "privacy", "cp",
     "urbanism", ("ddt", "ddtm", "dreal", "epf"), 0.6),
    ("rp", "Recensement de la population", "Insee", "open_data", "open_data", None, "pub", None, "pd", "territory",
     ("dreal", "ddt", "ddtm", "ars", "dreets", "ddets", "sgar", "rectorat", "prefecture", "drajes"), 0.4),
    ("pci", "Plan cadastral (PCI vecteur)", "DGFiP", "open_data", "open_data", None, "pub", None, "cp", "territory",
     ("ddt", "ddtm", "dreal", "drac", "ofb", "aeap", "epf"), 0.5),
    ("inpi", "Marques, brevets et dépôts des entreprises", "INPI", "paid_licence", "paid_licence", (1500, 5000), "rst",
     "third_party_ip", None, "economy", ("dreets", "sgar"), 0.5),
    ("fiben", "Cotations des entreprises (FIBEN)", "Banque de France", "free_agreement", "free_agreement", None, "nc",
     "business", None, "economy", ("dreets", "drfip", "sgar"), 0.5),
    ("sncf", "Fréquentation des gares et des trains régionaux", "SNCF Voyageurs", "free_agreement", "open_data", None,
     "pbl", None, "tn", "transport", ("dreal", "sgar", "cerema", "dir"), 0.4),
    ("sirene", "Répertoire des entreprises (SIRENE)", "Insee", "open_data", "open_data", None, "pub", None, None,
     "economy", ("dreets", "ddets", "draaf", "ddpp", "dreal", "sgar"), 0.35),
    ("rpg", "Registre parcellaire graphique (RPG)", "ASP / IGN", "open_data", "open_data", None, "pub", None, "lu",
     "agriculture", ("ddt", "ddtm", "aeap", "ofb", "dreal"), 0.4),
    ("ocs", "Occupation du sol régionale", "Géo2France", "free_agreement", "free_agreement", None, "pub", None, "lu",
     "urbanism", ("dreal", "ddt", "ddtm", "sgar", "epf", "cerema"), 0.4),
    ("dv3f_pl", "Trafic poids lourds sur autoroutes concédées", "Sanef", "paid_licence", "paid_licence", (3000, 9000),
     "rst", "business", "tn", "transport", ("dir", "dreal", "cerema"), 0.5),
)

# Tools: name, type, licence, use, annual cost range (None = no cost), users range, audience codes,
# profiles ("*" = every profile), probability.
_GEO = ("dreal", "ddt", "ddtm", "draaf", "aeap", "ofb", "cerema", "drac", "dirm", "dir", "vnf", "onf", "brgm", "epf",
        "sgar", "prefecture", "ars", "insee", "ademe")
_TOOLS = (
    ("Excel", "spreadsheet", "proprietary", "internal", None, (3, 120), ("agents",), "*", 0.85),
    ("LibreOffice Calc", "spreadsheet", "free", "internal", None, (2, 40), ("agents",), "*", 0.2),
    ("QGIS", "desktop_gis", "free", "internal", None, (2, 40), ("agents",), _GEO, 0.8),
    ("ArcGIS Pro", "desktop_gis", "proprietary", "internal", (2500, 16000), (2, 12), ("agents",),
     ("dreal", "ars", "aeap", "draaf", "ofb", "cerema", "sgar", "insee", "ademe", "brgm", "onf"), 0.5),
    ("Business Objects", "bi", "proprietary", "internal", None, (5, 80), ("agents", "state_services"),
     ("dreets", "ddets", "drfip", "ddfip", "ars", "rectorat", "draaf", "dreal", "prefecture"), 0.5),
    ("Power BI", "bi", "proprietary", "both", (1500, 7000), (3, 30), ("agents", "elected"),
     ("sgar", "dreets", "ars", "rectorat", "aeap", "ademe", "pole_emploi", "cerema", "prefecture"), 0.35),
    ("Tableau", "bi", "proprietary", "external", (4000, 11000), (2, 8), ("public", "local_authorities"),
     ("insee", "ars", "ademe"), 0.3),
    ("PostgreSQL / PostGIS", "database", "free", "internal", None, (2, 15), ("agents",),
     ("dreal", "ddtm", "cerema", "aeap", "insee", "ofb", "dir", "brgm"), 0.6),
    ("R", "stats", "free", "internal", None, (1, 20), ("agents",),
     ("dreal", "draaf", "insee", "ars", "dreets", "aeap", "cerema", "rectorat", "ademe"), 0.55),
    ("Python", "stats", "free", "internal", None, (1, 8), ("agents",), ("dreal", "insee", "cerema", "aeap", "brgm",
                                                                        "meteo"), 0.45),
    ("SAS", "stats", "proprietary", "internal", (5000, 26000), (2, 25), ("agents",),
     ("insee", "ars", "draaf", "dreets", "rectorat", "drfip"), 0.5),
    ("GéoIDE", "sdi", "free", "both", None, (3, 30), ("agents", "state_services", "public"),
     ("dreal", "ddt", "ddtm", "draaf", "dirm"), 0.75),
    ("Géo2France", "sdi", "free", "external", None, (2, 20), ("public", "local_authorities", "state_services"),
     ("dreal", "ddt", "ddtm", "sgar", "aeap", "ofb", "cerema", "drac", "epf", "ademe"), 0.55),
    ("Prodige", "sdi", "free", "external", None, (2, 10), ("public", "local_authorities"), ("dreal", "ddtm", "sgar"),
     0.25),
    ("Lizmap", "webmap", "free", "external", (0, 3000), (2, 10), ("public", "local_authorities"),
     ("dreal", "ddtm", "ddt", "aeap", "epf"), 0.3),
    ("uMap", "webmap", "free", "external", None, (1, 10), ("public",), ("dreal", "ddt", "ddets", "drajes", "drac"), 0.2),
    ("Cartélie", "webmap", "free", "external", None, (2, 12), ("public", "local_authorities"), ("ddt", "ddtm", "dreal"),
     0.4),
    ("FME", "database", "proprietary", "internal", (3000, 9000), (1, 4), ("agents",),
     ("dreal", "cerema", "ddtm", "aeap", "sgar", "ofb"), 0.4),
    ("GIDIC / S3IC", "business_app", "proprietary", "internal", None, (20, 150), ("agents",), ("dreal", "ddpp",
                                                                                            "prefecture"), 0.9),
    ("ADS 2007", "business_app", "proprietary", "internal", None, (10, 60), ("agents",), ("ddt", "ddtm"), 0.9),
    ("SIGAL", "business_app", "proprietary", "internal", None, (10, 80), ("agents",), ("draaf", "ddpp"), 0.9),
    ("SISE-Eaux", "business_app", "proprietary", "internal", None, (10, 50), ("agents",), ("ars",), 0.9),
    ("SI-SIAO", "business_app", "proprietary", "internal", None, (10, 200), ("agents", "associations"),
     ("dreets", "ddets"), 0.85),
    ("Wiki'T", "business_app", "proprietary", "internal", None, (30, 250), ("agents",), ("dreets", "ddets"), 0.6),
    ("MAJIC", "business_app", "proprietary", "internal", None, (20, 300), ("agents",), ("drfip", "ddfip"), 0.9),
    ("SIECLE", "business_app", "proprietary", "internal", None, (20, 400), ("agents",), ("rectorat", "dsden"), 0.9),
    ("Patriarche", "business_app", "proprietary", "internal", None, (5, 25), ("agents",), ("drac",), 0.9),
    ("Concerto (accidentalité)", "business_app", "free", "internal", None, (2, 10), ("agents",),
     ("prefecture", "ddt", "ddtm"), 0.5),
    ("Télérecours", "business_app", "proprietary", "internal", None, (3, 30), ("agents",),
     ("prefecture", "dreal", "ddt", "ddtm"), 0.3),
    ("Mon Portail Métier", "business_app", "proprietary", "internal", (0, 20000), (5, 60), ("agents",),
     ("aeap", "ofb", "onf", "epf", "vnf", "dirm", "dir", "security", "other", "meteo", "pole_emploi", "brgm",
      "drajes"), 0.5),
    ("Site internet du service", "opendata_portal", "free", "external", (0, 8000), (2, 10), ("public",),
     ("ars", "insee", "aeap", "ademe", "drac", "dreal", "prefecture"), 0.45),
    ("data.gouv.fr", "opendata_portal", "free", "external", None, (1, 5), ("public", "companies", "research"),
     ("dreal", "insee", "drfip", "ars", "rectorat", "sgar", "ademe", "aeap"), 0.4),
)

_BASE_CATEGORIES = {
    "dreal": 42, "ddt": 20, "ddtm": 22, "draaf": 17, "ars": 17, "dreets": 16, "ddets": 9, "drfip": 14, "ddfip": 8,
    "rectorat": 13, "dsden": 8, "drac": 12, "prefecture": 13, "sgar": 12, "aeap": 14, "ofb": 10, "cerema": 10, "ademe": 10,
    "insee": 14, "dirm": 10, "dir": 9, "vnf": 8, "ddpp": 8, "drajes": 8, "security": 6, "onf": 6, "brgm": 5,
    "meteo": 5, "pole_emploi": 5, "epf": 4, "other": 6,
}


# ---------------------------------------------------------------------------------------------
# Fictional people
# ---------------------------------------------------------------------------------------------

_FIRST_NAMES = (
    "Camille", "Nicolas", "Julie", "Thomas", "Sophie", "Julien", "Aurélie", "Maxime", "Céline", "Antoine",
    "Émilie", "Guillaume", "Nathalie", "Sébastien", "Claire", "Mathieu", "Isabelle", "Olivier", "Laure", "Pierre",
    "Hélène", "François", "Marion", "Vincent", "Delphine", "Benoît", "Caroline", "Jérôme", "Anne", "Romain",
    "Sandrine", "Fabien", "Virginie", "Arnaud", "Élodie", "Stéphane", "Pauline", "Frédéric", "Mélanie", "Damien",
)
_LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
    "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez",
    "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas",
    "Dumont", "Lemaire", "Leclercq", "Delattre", "Vasseur", "Carpentier", "Dufour", "Lemoine", "Caron", "Deschamps",
)

_DOMAINS = {
    "dreal": "developpement-durable.gouv.fr", "ddt": "developpement-durable.gouv.fr",
    "ddtm": "developpement-durable.gouv.fr", "dirm": "developpement-durable.gouv.fr",
    "dir": "developpement-durable.gouv.fr", "draaf": "agriculture.gouv.fr", "ddpp": "agriculture.gouv.fr",
    "ars": "ars.sante.fr", "dreets": "dreets.gouv.fr", "ddets": "ddets.gouv.fr", "drfip": "dgfip.finances.gouv.fr",
    "ddfip": "dgfip.finances.gouv.fr", "rectorat": "ac-education.gouv.fr", "dsden": "ac-education.gouv.fr",
    "drajes": "region-academique.gouv.fr", "drac": "culture.gouv.fr", "prefecture": "interieur.gouv.fr",
    "sgar": "interieur.gouv.fr", "aeap": "eau-artois-picardie.gouv.fr", "ofb": "ofb.gouv.fr",
    "cerema": "cerema.gouv.fr", "ademe": "ademe.gouv.fr", "insee": "insee.gouv.fr", "vnf": "vnf.gouv.fr",
    "onf": "onf.gouv.fr", "brgm": "brgm.gouv.fr", "meteo": "meteo.gouv.fr", "pole_emploi": "pole-emploi.gouv.fr",
    "epf": "epf.gouv.fr", "security": "interieur.gouv.fr",
}


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", _ascii(str(text)).lower()).strip()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _norm(text)).strip("-")


# ---------------------------------------------------------------------------------------------
# Catalogue parsing and service profiles
# ---------------------------------------------------------------------------------------------

_DIFF = {"pub": "published", "pbl": "publishable", "rst": "restricted", "nc": "not_communicable"}
_ORIGIN = {"p": "produced", "a": "acquired", "c": "coproduced"}


def _parse_catalogue(text: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    current = ""
    for line in text.strip().splitlines():
        if line.startswith("["):
            current = line.strip("[]")
            out[current] = []
            continue
        title, theme, origin, diff, ground, inspire, personal, fmts, freq, supplier, desc = line.split("|")
        out[current].append({
            "key": f"{current}:{_slug(title)}", "title": title, "theme": theme, "origin": _ORIGIN[origin],
            "diffusion": _DIFF[diff], "ground": ground or None, "inspire": inspire or None,
            "personal": personal == "1", "formats": fmts.split(";"), "frequency": freq,
            "supplier": supplier or None, "description": desc,
        })
    return out


CATALOGUE = _parse_catalogue(_CATALOGUE_TEXT)
_CATALOGUE_OF = {"ddfip": ("drfip",), "dsden": ("rectorat",), "ddtm": ("ddtm", "ddt")}

_PROFILE_RULES = (
    (r"\bsgar\b|prefecture de (la )?region", "sgar"),
    (r"prefecture", "prefecture"),
    (r"\bdreal\b", "dreal"), (r"\bddtm\b", "ddtm"), (r"\bddt\b", "ddt"), (r"\bdraaf\b", "draaf"),
    (r"\bdreets\b|\bdireccte\b", "dreets"), (r"\bddets\b", "ddets"), (r"\bdrajes\b", "drajes"),
    (r"\bdrac\b", "drac"), (r"\bdrfip\b", "drfip"), (r"\bddfip\b", "ddfip"),
    (r"rectorat|region academique", "rectorat"), (r"\bdsden\b", "dsden"), (r"\bdirm\b", "dirm"),
    (r"\bdir\b", "dir"), (r"\bddpp\b", "ddpp"), (r"\bars\b", "ars"), (r"\bademe\b", "ademe"),
    (r"\baeap\b|agence de l'eau", "aeap"), (r"\bofb\b", "ofb"), (r"\bcerema\b", "cerema"), (r"\binsee\b", "insee"),
    (r"\bvnf\b", "vnf"), (r"\bonf\b", "onf"), (r"\bbrgm\b", "brgm"), (r"meteo-france", "meteo"),
    (r"pole emploi", "pole_emploi"), (r"\bepf\b", "epf"),
    (r"sgami|gendarmerie|\bdisp\b|dirpjj|douanes|\bdmd\b", "security"),
)


def service_profile(acronym: str, name: str = "") -> str:
    """Return the content profile of a service (``dreal``, ``ddt``, ``ars``…, ``other``).

    Args:
        acronym: the service's acronym in the reference list.
        name: its full name.

    Returns:
        A key of the content catalogues.
    """
    text = _norm(f"{acronym} | {name}")
    for pattern, profile in _PROFILE_RULES:
        if re.search(pattern, _norm(f"{acronym}")) or re.search(pattern, text):
            return profile
    return "other"


def _catalogue_for(profile: str) -> list[dict[str, Any]]:
    keys = _CATALOGUE_OF.get(profile, (profile,))
    rows = [row for k in keys for row in CATALOGUE.get(k, [])]
    return rows + CATALOGUE["other"] if profile != "other" else CATALOGUE["other"]


#: How likely a service is to answer (the mission's lead always does).
_RESPONSE_WEIGHT = {
    "dreal": 5.0, "sgar": 4.0, "ars": 4.0, "dreets": 4.0, "draaf": 4.0, "drfip": 3.0, "insee": 3.0, "aeap": 3.0,
    "ofb": 2.5, "cerema": 2.5, "ademe": 2.5, "drac": 2.5, "rectorat": 1.5, "ddt": 2.5, "ddtm": 2.5,
    "prefecture": 1.5, "ddets": 1.5, "dir": 1.5, "dirm": 2.0, "vnf": 1.2, "drajes": 1.0, "dsden": 0.5, "ddpp": 0.8,
    "ddfip": 0.8, "security": 0.3, "other": 0.3,
}


def _size(profile: str) -> float:
    """Relative size of a service (drives FTE, users and maturity)."""
    return {"dreal": 1.0, "sgar": 0.7, "insee": 0.9, "ars": 0.8, "cerema": 0.8, "aeap": 0.8, "dreets": 0.7,
            "drfip": 0.7, "draaf": 0.6, "rectorat": 0.6, "ademe": 0.6, "ddtm": 0.5, "ddt": 0.45}.get(profile, 0.3)


# ---------------------------------------------------------------------------------------------
# In-memory sample
# ---------------------------------------------------------------------------------------------


@dataclass
class ServiceReturn:
    """What one service answers (clean values: vocabulary labels, numbers, dates, booleans).

    Attributes:
        service_id: id of the service in the reference list.
        profile: content profile (``dreal``, ``ddt``…).
        service: the service sheet's single row, by field name.
        categories / tools / arrangements / maturity: one DataFrame per section, columns = the
            section's field names, plus hidden columns starting with ``_`` (never written).
    """

    service_id: str
    profile: str
    service: dict[str, Any]
    categories: pd.DataFrame
    tools: pd.DataFrame
    arrangements: pd.DataFrame
    maturity: pd.DataFrame | None


@dataclass
class EditionSample:
    """One wave of the fictional survey, in memory.

    Attributes:
        edition_id: edition identifier (``hauts-de-france-2021``).
        region: region name.
        year: survey year.
        reference_date: the edition's reference date.
        seed: the generator seed.
        services: the reference list of services used.
        arrangements: the reference list of arrangements used.
        returns: one answer per responding service, in reference-list order.
        facts: per arrangement id, the true facts participants report about.
        mess_log: anomalies planted by ``write_returns`` (file, sheet, row, kind, detail).
    """

    edition_id: str
    region: str
    year: int
    reference_date: dt.date
    seed: int
    services: pd.DataFrame
    arrangements: pd.DataFrame
    returns: list[ServiceReturn]
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)
    mess_log: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["file", "sheet", "row", "kind", "detail"]))

    @property
    def respondents(self) -> list[str]:
        """Ids of the responding services."""
        return [r.service_id for r in self.returns]

    def table(self, section: str) -> pd.DataFrame:
        """All answers of a section, with a ``service_id`` column in front.

        Args:
            section: ``services``, ``categories``, ``tools``, ``arrangements`` or ``maturity``.

        Returns:
            One row per answer row (hidden ``_`` columns included).
        """
        if section == "services":
            return pd.DataFrame([{"service_id": r.service_id, **r.service} for r in self.returns])
        frames = []
        for r in self.returns:
            df = getattr(r, section)
            if df is not None and len(df):
                frames.append(df.astype(object).assign(service_id=r.service_id))
        if not frames:
            return pd.DataFrame(columns=["service_id", *model.SECTIONS_BY_NAME[section].field_names])
        out = pd.concat(frames, ignore_index=True)
        return out[["service_id", *[c for c in out.columns if c != "service_id"]]]


def load_reference() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the reference lists of services and arrangements shipped in ``data/reference``.

    Returns:
        (services, arrangements), every column as text, missing values as empty strings.
    """
    services = pd.read_csv(SERVICES_CSV, dtype=str, keep_default_na=False)
    arrangements = pd.read_csv(ARRANGEMENTS_CSV, dtype=str, keep_default_na=False)
    return services, arrangements


def _rng(seed: int, year: int, purpose: int, *more: int) -> np.random.Generator:
    return np.random.default_rng([int(seed), int(year), int(purpose), *[int(m) for m in more]])


def _label(vocab: Vocabulary, code: str | None) -> str | None:
    return None if code is None else vocab.label_of(code)


def _round(value: float, step: int) -> int:
    return int(round(value / step) * step)


def _pick(rng: np.random.Generator, seq, k: int | None = None, p=None):
    seq = list(seq)
    if k is None:
        return seq[int(rng.choice(len(seq), p=p))]
    k = min(k, len(seq))
    idx = rng.choice(len(seq), size=k, replace=False, p=p)
    return [seq[i] for i in sorted(idx)]


def _reference_date(year: int) -> dt.date:
    return REFERENCE_DATES.get(year, dt.date(year, 9, 30))


# --- respondents ---------------------------------------------------------------------------------

def _select_respondents(services: pd.DataFrame, year: int, rng: np.random.Generator, n: int,
                        previous: EditionSample | None) -> list[str]:
    ids = services["id"].tolist()
    profiles = [service_profile(a, nm) for a, nm in zip(services["acronym"], services["name"], strict=True)]
    weight = np.array([_RESPONSE_WEIGHT.get(p, 0.7) for p in profiles])
    n = max(1, min(n, len(ids)))
    forced = [i for i, p in zip(ids, profiles, strict=True) if p == "dreal"][:1]
    chosen: list[str] = list(forced)
    if previous is not None:
        prev = [i for i in previous.respondents if i in ids and i not in chosen]
        keep = _pick(rng, prev, k=max(0, min(len(prev), int(round(0.9 * len(prev))), n - len(chosen))))
        chosen += keep
    pool = [i for i in ids if i not in chosen]
    if n > len(chosen) and pool:
        w = np.array([weight[ids.index(i)] for i in pool])
        chosen += _pick(rng, pool, k=n - len(chosen), p=w / w.sum())
    return [i for i in ids if i in chosen]


# --- categories ----------------------------------------------------------------------------------

_PLATFORM_PREF = {
    "dreal": ("geo2france", "datagouv", "geoide"), "ddt": ("geoide", "geo2france"), "ddtm": ("geoide", "geo2france"),
    "draaf": ("own_site", "datagouv", "geoide"), "ars": ("own_site", "datagouv"), "insee": ("own_site",),
    "drfip": ("datagouv",), "ddfip": ("datagouv",), "rectorat": ("datagouv", "ministry"), "dsden": ("datagouv",),
    "aeap": ("own_site", "geo2france"), "ofb": ("datagouv", "ministry"), "cerema": ("datagouv", "own_site"),
    "ademe": ("datagouv", "own_site"), "drac": ("ministry", "geo2france"), "sgar": ("datagouv", "geo2france"),
    "prefecture": ("own_site", "datagouv"), "dir": ("datagouv",), "vnf": ("datagouv",), "dirm": ("geoide",),
}
_DEPARTMENTAL = ("ddt", "ddtm", "ddets", "ddfip", "dsden", "ddpp", "prefecture")


def _url(platform: str, title: str, svc: pd.Series, region: str, rng: np.random.Generator) -> str:
    slug = _slug(title)[:60]
    if platform == "datagouv":
        return f"https://www.data.gouv.fr/fr/datasets/{slug}-{_slug(svc['acronym'])}/"
    if platform == "geo2france":
        return f"https://www.geo2france.fr/datahub/dataset/{rng.integers(16**8, 16**9):x}"
    if platform == "geoide":
        return f"https://catalogue.geo-ide.developpement-durable.gouv.fr/catalogue/srv/fre/catalog.search#/metadata/fr-{rng.integers(10**8, 10**9)}"
    if platform == "ministry":
        return f"https://www.{_slug(svc['ministry'] or 'ministere')}.gouv.fr/donnees/{slug}"
    if platform == "other":
        return f"https://geoservices.ign.fr/{slug}"
    return f"https://www.{_slug(svc['acronym'])}-{_slug(region)}.fr/donnees/{slug}"


def _category_row(tpl: dict[str, Any], svc: pd.Series, profile: str, year: int, region: str,
                  rng: np.random.Generator, suffix: str = "") -> dict[str, Any]:
    diffusion = tpl["diffusion"]
    roll = rng.random()
    if diffusion == "published" and roll < 0.3:
        diffusion = "publishable"
    elif diffusion == "publishable" and roll < 0.10:
        diffusion = "published"
    ground = tpl["ground"] if diffusion in model.PROTECTED_DIFFUSION else None
    if diffusion in model.PROTECTED_DIFFUSION and ground is None:
        ground = "privacy" if tpl["personal"] else "third_party_ip" if tpl["origin"] == "acquired" else "preparatory"
    if ground is not None and rng.random() < 0.025:
        ground = None  # restricted without a legal ground: a finding of the rule engine
    origin = tpl["origin"]
    supplier = tpl["supplier"] if origin != "produced" else None
    mode = tpl.get("mode")
    cost = tpl.get("cost")
    if origin == "acquired" and mode is None:
        mode = "regulatory" if rng.random() < 0.5 else "free_agreement"
        cost = 0 if rng.random() < 0.6 else None
    geographic = tpl["inspire"] is not None
    if profile in _DEPARTMENTAL:
        coverage = "departement"
    elif profile in ("aeap", "dirm", "vnf", "dir"):
        coverage = "basin"
    elif tpl.get("coverage"):
        coverage = tpl["coverage"]
    else:
        coverage = "region" if rng.random() < 0.85 else "national"
    platform = url = licence = None
    if diffusion == "published":
        if origin == "acquired" and tpl.get("external"):
            platform = "other" if tpl["supplier"] == "IGN" else "datagouv"
        else:
            prefs = _PLATFORM_PREF.get(profile, ("own_site", "datagouv"))
            platform = _pick(rng, prefs) if not (geographic and "geo2france" in prefs and rng.random() < 0.5) \
                else "geo2france"
        url = _url(platform, tpl["title"] + suffix, svc, region, rng) if rng.random() < 0.9 else None
        lic_roll = rng.random()
        licence = "lo2" if lic_roll < 0.82 else "odbl" if lic_roll < 0.88 else None
    elif mode == "paid_licence":
        licence = "proprietary"
    elif diffusion == "publishable" and rng.random() < 0.3:
        licence = "lo2"
    formats = [f for f in tpl["formats"]]
    if geographic and "shp" not in formats and "ogc" not in formats and rng.random() < 0.5:
        formats.append("shp")
    comment = None
    if rng.random() < 0.07:
        comment = _pick(rng, ("Mise à jour en cours.", "Données partielles avant 2015.",
                              "Publication prévue l'an prochain.", "Voir avec le bureau des études.",
                              "Extraction sur demande."))
    return {
        "title": tpl["title"] + suffix,
        "description": tpl["description"],
        "theme": model.THEME.label_of(tpl["theme"]),
        "origin": model.ORIGIN.label_of(origin),
        "supplier": supplier,
        "acquisition_mode": _label(model.ACQUISITION_MODE, mode),
        "annual_cost": cost,
        "diffusion": model.DIFFUSION.label_of(diffusion),
        "legal_ground": _label(model.LEGAL_GROUND, ground),
        "personal_data": bool(tpl["personal"]),
        "geographic": geographic,
        "inspire_theme": _label(model.INSPIRE_THEME, tpl["inspire"]) if geographic and rng.random() < 0.9 else None,
        "formats": model.MULTI_SEPARATOR.join(model.FORMAT.label_of(f) for f in formats),
        "frequency": model.FREQUENCY.label_of(tpl["frequency"]),
        "coverage": model.COVERAGE.label_of(coverage),
        "platform": _label(model.PLATFORM, platform),
        "url": url,
        "licence": _label(model.LICENCE, licence),
        "tools": None,
        "comment": comment,
        "_key": tpl["key"],
    }


def _external_templates(profile: str, year: int, rng: np.random.Generator) -> list[dict[str, Any]]:
    out = []
    for (key, title, supplier, mode19, mode21, cost, diff, ground, inspire, theme, profiles, p) in _EXTERNAL:
        if profile not in profiles or rng.random() >= p:
            continue
        mode = mode19 if year < 2021 else mode21
        if key in ("bdtopo", "bdortho") and year >= 2021:
            diff, ground = "pub", None  # IGN data are open data since 2021
        value = None if cost is None else _round(rng.uniform(*cost), 500)
        if value is None and mode != "paid_licence":
            value = 0 if rng.random() < 0.5 else None
        out.append({
            "key": f"ext:{key}", "title": title, "theme": theme, "origin": "acquired", "diffusion": _DIFF[diff],
            "ground": ground, "inspire": inspire, "personal": ground == "privacy",
            "formats": ["shp", "ogc"] if inspire else ["csv", "xlsx"], "frequency": "annual", "supplier": supplier,
            "description": f"Données acquises auprès de {supplier}.", "mode": mode, "cost": value, "external": True,
        })
    return out


def _expand(templates: list[dict[str, Any]], n: int, rng: np.random.Generator) -> list[tuple[dict, str]]:
    """Pick ``n`` templates; beyond the catalogue, repeat them with a batch suffix (benchmark volumes)."""
    common = [t for t in templates if t["key"].startswith("other:")]
    specific = [t for t in templates if not t["key"].startswith("other:")] or common
    order = [specific[i] for i in rng.permutation(len(specific))]
    if specific is not common:
        order += [common[i] for i in rng.permutation(len(common))]  # generic categories come last
    out = [(t, "") for t in order[:n]]
    batch = 2
    while len(out) < n:
        for t in order:
            if len(out) >= n:
                break
            out.append((t, f" — lot {batch}"))
        batch += 1
    return out


def _categories(svc: pd.Series, profile: str, n_target: int, year: int, region: str, rng: np.random.Generator,
                prev: pd.DataFrame | None) -> pd.DataFrame:
    own = _catalogue_for(profile)
    external = _external_templates(profile, year, rng)
    rows: list[dict[str, Any]] = []
    if prev is None:
        picked = _expand(own, max(2, n_target - len(external)), rng)
        for tpl, suffix in picked:
            rows.append(_category_row(tpl, svc, profile, year, region, rng, suffix))
    else:
        by_key = {t["key"]: t for t in own}
        for rec in prev.to_dict("records"):
            if rec["_key"].startswith("ext:") or rng.random() < 0.04:
                continue  # external data are redrawn below; a few categories were dropped
            rec = dict(rec)
            if rec["diffusion"] == model.DIFFUSION.publishable and rng.random() < 0.25:
                tpl = by_key.get(rec["_key"])
                rec["diffusion"] = model.DIFFUSION.published
                platform = _pick(rng, _PLATFORM_PREF.get(profile, ("own_site", "datagouv")))
                rec["platform"] = model.PLATFORM.label_of(platform)
                rec["url"] = _url(platform, rec["title"], svc, region, rng)
                rec["licence"] = model.LICENCE.lo2
                rec["comment"] = f"Publiée depuis {year - 1}." if tpl else rec["comment"]
            rows.append(rec)
        known = {r["_key"] for r in rows}
        new = [t for t in own if t["key"] not in known]
        n_new = max(int(rng.integers(1, 5)), n_target - len(rows) - len(external))
        for tpl, suffix in _expand(new, min(len(new), n_new), rng) if new else []:
            rows.append(_category_row(tpl, svc, profile, year, region, rng, suffix))
    for tpl in external:
        rows.append(_category_row(tpl, svc, profile, year, region, rng))
    df = pd.DataFrame(rows, columns=[*CATEGORIES.field_names, "_key"])
    return df.drop_duplicates("title").reset_index(drop=True)


# --- tools ---------------------------------------------------------------------------------------

def _tool_row(spec: tuple, profile: str, categories: pd.DataFrame, rng: np.random.Generator,
              others: list[str]) -> dict[str, Any]:
    name, ttype, lic, use, cost, users, audience, _profiles, _p = spec
    size = _size(profile)
    n_users = max(1, int(round(rng.uniform(*users) * (0.5 + size))))
    value = None
    if cost is not None:
        value = _round(rng.uniform(*cost) * (0.7 + size * 0.6), 100)
    elif lic == "proprietary" and ttype in ("bi", "business_app") and rng.random() < 0.3:
        value = 0
    geo_tool = ttype in ("desktop_gis", "sdi", "webmap")
    pool = categories[categories["geographic"]] if geo_tool else categories
    if not len(pool):
        pool = categories
    k = min(len(pool), int(rng.integers(1, 5)))
    exploited = pool["title"].iloc[sorted(rng.choice(len(pool), size=k, replace=False))].tolist() if k else []
    shared = None
    if ttype == "sdi" and others and rng.random() < 0.6:
        shared = model.MULTI_SEPARATOR.join(_pick(rng, others, k=min(len(others), int(rng.integers(1, 4)))))
    comment = None
    if name.startswith("ArcGIS") and rng.random() < 0.5:
        comment = "Licences achetées par le service."
    return {
        "name": name, "tool_type": model.TOOL_TYPE.label_of(ttype),
        "software_licence": model.SOFTWARE_LICENCE.label_of(lic), "use": model.USE.label_of(use),
        "audience": model.MULTI_SEPARATOR.join(model.AUDIENCE.label_of(a) for a in audience),
        "users": n_users, "annual_cost": value, "shared_with": shared,
        "categories": model.MULTI_SEPARATOR.join(exploited) or None, "comment": comment,
    }


def _tools(profile: str, categories: pd.DataFrame, rng: np.random.Generator, prev: pd.DataFrame | None,
           others: list[str]) -> pd.DataFrame:
    eligible = [t for t in _TOOLS if t[7] == "*" or profile in t[7]]
    rows = []
    if prev is not None and len(prev):
        titles = set(categories["title"])
        for rec in prev.to_dict("records"):
            if rec["name"].startswith("ArcGIS") and rng.random() < 0.15:
                continue  # moved to QGIS
            rec = dict(rec)
            rec["users"] = max(1, int(round(rec["users"] * rng.uniform(0.9, 1.3))))
            if pd.notna(rec["annual_cost"]) and rec["annual_cost"]:
                rec["annual_cost"] = _round(rec["annual_cost"] * rng.uniform(1.0, 1.08), 100)
            cats = [c for c in (rec["categories"] or "").split(model.MULTI_SEPARATOR) if c in titles]
            rec["categories"] = model.MULTI_SEPARATOR.join(cats) or None
            rows.append(rec)
        have = {r["name"] for r in rows}
        for spec in eligible:
            if spec[0] not in have and rng.random() < spec[8] * 0.25:
                rows.append(_tool_row(spec, profile, categories, rng, others))
    else:
        for spec in eligible:
            if rng.random() < spec[8]:
                rows.append(_tool_row(spec, profile, categories, rng, others))
        if len(rows) < 2:
            rows.append(_tool_row(_TOOLS[0], profile, categories, rng, others))
    df = pd.DataFrame(rows, columns=TOOLS.field_names).drop_duplicates("name").reset_index(drop=True)
    return df


def _link_tools(categories: pd.DataFrame, tools: pd.DataFrame) -> pd.DataFrame:
    """Fill each category's ``tools`` from the tools that exploit it."""
    by_title: dict[str, list[str]] = {}
    for name, cats in zip(tools["name"], tools["categories"], strict=True):
        for c in (cats or "").split(model.MULTI_SEPARATOR):
            if c:
                by_title.setdefault(c, []).append(name)
    out = categories.copy()
    out["tools"] = [model.MULTI_SEPARATOR.join(by_title[t]) if t in by_title else None for t in out["title"]]
    return out


# --- arrangements --------------------------------------------------------------------------------

_GEO_CLUB = ("dreal", "ddt", "ddtm", "draaf", "aeap", "ofb", "cerema", "sgar", "prefecture", "dirm", "drac", "ars",
             "insee", "dir", "vnf", "onf", "brgm", "epf")
_ARRANGEMENT_MEMBERS = {
    "GEO2FRANCE": ("*", 0.8),
    "SINP-HDF": (("dreal", "ofb", "ddt", "ddtm", "aeap", "onf", "sgar"), 0.6),
    "DIGITALE": (("dreal", "ofb", "ddt", "ddtm", "onf"), 0.35),
    "CLICNAT": (("dreal", "ofb", "ddt", "ddtm"), 0.3),
    "SIGALE": (("dreal", "ddt", "ddtm", "sgar", "epf", "cerema"), 0.4),
    "SIE-AP": (("aeap", "dreal", "ofb", "ddt", "ddtm", "ars", "brgm"), 0.6),
    "ORB-HDF": (("dreal", "ofb", "aeap", "onf"), 0.6),
    "OBS-CLIMAT-HDF": (("dreal", "ademe", "sgar", "meteo", "cerema"), 0.5),
    "ORDEC-HDF": (("ademe", "dreal"), 0.7),
    "ORT-HDF": (("dreal", "cerema", "dir", "vnf", "sgar", "ddt", "ddtm"), 0.5),
    "ORHF-HDF": (("dreal", "ddt", "ddtm", "ddets", "epf", "cerema", "drfip"), 0.5),
    "OR2S": (("ars", "dreets", "ddets", "insee", "rectorat"), 0.55),
    "ROL-NHDF": (("ddtm", "dreal", "dirm", "cerema", "brgm"), 0.6),
    "ATMO-HDF": (("dreal", "ars", "ademe", "sgar"), 0.6),
    "CERDD": (("dreal", "ademe", "sgar", "ddt", "ddtm"), 0.4),
    "C2RP": (("dreets", "ddets", "rectorat", "pole_emploi", "insee", "sgar"), 0.55),
    "URBA8": (("dreal", "ddt", "ddtm", "sgar", "insee"), 0.35),
    "CLUB-GEOMATIQUE-ETAT": (_GEO_CLUB, 0.5),
    "CONV-DREAL-REGION-BIODIV": (("dreal",), 0.95),
    "CONV-IGN-REGION-ORTHO": (("dreal", "ddt", "ddtm", "sgar"), 0.3),
    "CONV-FICHIERS-FONCIERS": (("dreal", "ddt", "ddtm", "cerema", "epf"), 0.55),
    "CONV-ARS-OR2S": (("ars",), 0.95),
    "CONV-DRAAF-CRA": (("draaf",), 0.95),
}
_BUDGET_BY_KIND = {
    "platform": (150_000, 700_000), "observatory": (50_000, 500_000), "network": (8_000, 80_000),
    "bilateral": (10_000, 90_000), "gip": (400_000, 1_500_000), "association": (800_000, 4_000_000),
}
_FRAME_BY_KIND = {"platform": "convention", "observatory": "convention", "network": "charter",
                  "bilateral": "convention", "gip": "gip", "association": "association"}
_PARTNERS_BY_KIND = {
    "platform": ("region", "departements", "epci", "state_services", "state_operators", "urban_agencies"),
    "observatory": ("region", "state_services", "state_operators", "epci", "universities", "associations"),
    "network": ("state_services", "state_operators", "urban_agencies", "epci"),
    "bilateral": ("region", "state_operators", "chambers"),
    "gip": ("region", "state_services", "epci", "universities", "chambers"),
    "association": ("region", "epci", "state_services", "companies", "associations"),
}
_PRODUCTIONS_BY_KIND = {
    "platform": ("portal", "datasets", "training", "atlases"), "observatory": ("dashboards", "publications", "datasets"),
    "network": ("training", "publications"), "bilateral": ("datasets",),
    "gip": ("publications", "dashboards", "training"), "association": ("datasets", "publications", "portal"),
}


def _kind_code(label: str) -> str:
    for t in model.ARRANGEMENT_KIND.terms:
        if _norm(label) in {_norm(t.label), *(_norm(s) for s in t.synonyms), _norm(t.code)}:
            return t.code
    return "network"


def _month_start(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


def _add_years(d: dt.date, years: int) -> dt.date:
    return dt.date(d.year + years, d.month, min(d.day, 28))


def _arrangement_facts(arrangements: pd.DataFrame, year: int, ref: dt.date, rng: np.random.Generator,
                       previous: dict[str, dict[str, Any]] | None) -> dict[str, dict[str, Any]]:
    facts: dict[str, dict[str, Any]] = {}
    for row in arrangements.to_dict("records"):
        aid = row["id"]
        kind = _kind_code(row["kind"])
        prev = (previous or {}).get(aid)
        geo2france = (1_200_000, 300_000) if year >= 2021 else (1_050_000, 280_000)
        if prev is not None:
            f = dict(prev)
            f["total"] = _round(prev["total"] * rng.uniform(1.0, 1.12), 1000)
            f["state"] = _round(prev["state"] * rng.uniform(0.95, 1.1), 1000)
            if aid == "GEO2FRANCE":
                f["total"], f["state"] = geo2france
            f["renewed"] = False
            if prev["end"] is not None and prev["end"] <= ref:
                f["start"] = prev["end"]
                f["end"] = _add_years(prev["end"], int(rng.choice([3, 4, 5])))
                f["renewed"] = True
            if rng.random() < 0.3 and f["end"] is not None and f["end"] > ref + dt.timedelta(days=365):
                f["end"] = ref + dt.timedelta(days=int(rng.integers(30, 360)))
                f["end"] = _month_start(f["end"].year, f["end"].month)
            facts[aid] = f
            continue
        if aid == "GEO2FRANCE":
            total, state = geo2france
        else:
            lo, hi = _BUDGET_BY_KIND[kind]
            total = _round(rng.uniform(lo, hi), 5000)
            state = _round(total * rng.uniform(0.1, 0.6), 1000)
        informal = kind in ("network", "observatory") and rng.random() < 0.3
        frame = "none" if informal else _FRAME_BY_KIND[kind]
        bodies = ["none"] if frame == "none" else ["steering", "technical"]
        if kind in ("gip", "association"):
            bodies = ["general_assembly", "board", "technical"]
        start = _month_start(int(rng.integers(year - 9, year)), int(rng.integers(1, 13)))
        end = None if frame == "none" else _add_years(start, int(rng.choice([3, 4, 5, 6])))
        if end is not None and end <= ref:
            end = _add_years(end, 3) if _add_years(end, 3) > ref else _add_years(end, 6)
        if end is not None and rng.random() < 0.3:
            end = _month_start(*((ref + dt.timedelta(days=int(rng.integers(30, 360)))).timetuple()[:2]))
        partners = _PARTNERS_BY_KIND[kind]
        facts[aid] = {
            "kind": kind, "total": total, "state": state, "frame": frame, "bodies": bodies,
            "state_in_bodies": frame != "none" and rng.random() > 0.15,
            "partners": _pick(rng, partners, k=min(len(partners), int(rng.integers(2, len(partners) + 1)))),
            "audiences": _pick(rng, ("state_services", "local_authorities", "public", "companies", "research",
                                     "elected", "associations"), k=int(rng.integers(2, 5))),
            "productions": _pick(rng, _PRODUCTIONS_BY_KIND[kind], k=int(rng.integers(1, len(_PRODUCTIONS_BY_KIND[kind]) + 1))),
            "start": start, "end": end, "renewed": False,
        }
    return facts


def _leads(arrangements: pd.DataFrame, services: pd.DataFrame) -> dict[str, list[str]]:
    """Services named in each arrangement's ``lead`` text (acronym as a word, or full name)."""
    out: dict[str, list[str]] = {}
    for aid, lead in zip(arrangements["id"], arrangements["lead"], strict=True):
        text = _norm(lead)
        found = []
        for sid, acr, name in zip(services["id"], services["acronym"], services["name"], strict=True):
            if re.search(rf"\b{re.escape(_norm(acr))}\b", text) or _norm(name) in text:
                found.append(sid)
        out[aid] = found
    return out


def _participations(svc_id: str, profile: str, arrangements: pd.DataFrame, facts: dict[str, dict[str, Any]],
                    leads: dict[str, list[str]], rng: np.random.Generator,
                    prev: pd.DataFrame | None) -> pd.DataFrame:
    chosen: list[str] = []
    if prev is not None and len(prev):
        chosen = [a for a in prev["_arrangement_id"] if a in facts and rng.random() > 0.05]
    for aid in arrangements["id"]:
        if aid in chosen:
            continue
        members, p = _ARRANGEMENT_MEMBERS.get(aid, ("*", 0.08))
        if svc_id in leads.get(aid, []):
            p = 1.0
        elif members != "*" and profile not in members:
            continue
        if prev is not None:
            p *= 0.5
        if rng.random() < p:
            chosen.append(aid)
    if not chosen:
        chosen = [arrangements["id"].iloc[0]]
    if len(chosen) > 5:
        must = [a for a in chosen if svc_id in leads.get(a, [])]
        rest = [a for a in chosen if a not in must]
        chosen = must + _pick(rng, rest, k=max(0, 5 - len(must)))
    names = dict(zip(arrangements["id"], arrangements["name"], strict=True))
    rows = []
    for aid in [a for a in arrangements["id"] if a in chosen]:
        f = facts[aid]
        lead_ids = leads.get(aid, [])
        if lead_ids and svc_id == lead_ids[0]:
            role = "lead"
        elif svc_id in lead_ids:
            role = "colead"
        else:
            role = _pick(rng, ("contributor", "user"), p=[0.65, 0.35])
        total = f["total"] if rng.random() < 0.6 else _round(f["total"] * rng.uniform(0.94, 1.06), 5000)
        state = f["state"] if rng.random() < 0.7 else _round(f["state"] * rng.uniform(0.9, 1.1), 1000)
        share = {"lead": (0.2, 0.5), "colead": (0.05, 0.2), "contributor": (0.0, 0.04), "user": (0.0, 0.0)}[role]
        own = _round(f["state"] * rng.uniform(*share), 500)
        fte = round(float({"lead": rng.uniform(0.5, 2.0), "colead": rng.uniform(0.3, 1.0),
                           "contributor": rng.uniform(0.1, 0.5), "user": rng.uniform(0.05, 0.2)}[role]) * 10) / 10
        fte = max(fte, 0.1)
        bodies = f["bodies"] if rng.random() < 0.85 else f["bodies"][:1]
        audiences = f["audiences"] if rng.random() < 0.7 else f["audiences"][:max(1, len(f["audiences"]) - 1)]
        comment = "Convention renouvelée." if f.get("renewed") and rng.random() < 0.7 else None
        rows.append({
            "arrangement": names[aid], "kind": model.ARRANGEMENT_KIND.label_of(f["kind"]),
            "partners": model.MULTI_SEPARATOR.join(model.PARTNER.label_of(p) for p in f["partners"]),
            "role": model.ROLE.label_of(role),
            "total_budget": total if rng.random() < 0.85 else None,
            "state_credits": state if rng.random() < 0.8 else None,
            "own_contribution": own if role != "user" or rng.random() < 0.5 else None,
            "governance_frame": model.GOVERNANCE_FRAME.label_of(f["frame"]),
            "governance_bodies": model.MULTI_SEPARATOR.join(model.GOVERNANCE_BODY.label_of(b) for b in bodies),
            "state_in_bodies": bool(f["state_in_bodies"]),
            "fte": fte,
            "audiences": model.MULTI_SEPARATOR.join(model.AUDIENCE.label_of(a) for a in audiences),
            "productions": model.MULTI_SEPARATOR.join(model.PRODUCTION.label_of(p) for p in f["productions"]),
            "start_date": f["start"] if rng.random() < 0.92 else None,
            "end_date": f["end"] if rng.random() < 0.92 else None,
            "comment": comment,
            "_arrangement_id": aid,
        })
    return pd.DataFrame(rows, columns=[*ARRANGEMENTS.field_names, "_arrangement_id"])


# --- maturity and service sheet ------------------------------------------------------------------

def _maturity(profile: str, year: int, rng: np.random.Generator, prev: pd.DataFrame | None) -> pd.DataFrame | None:
    if rng.random() > 0.72:
        return None
    size = _size(profile)
    prev_levels = {}
    if prev is not None:
        prev_levels = {model.MATURITY_DIMENSION.code_of(d): int(model.MATURITY_LEVEL.code_of(lv))
                       for d, lv in zip(prev["dimension"], prev["level"], strict=True)}
    rows = []
    dims = model.MATURITY_DIMENSION.codes
    skip = set(_pick(rng, dims, k=int(rng.integers(1, 4)))) if rng.random() < 0.2 else set()
    for d in dims:
        if d in skip:
            continue
        if d in prev_levels:
            level = prev_levels[d] + int(rng.random() < 0.4)
        else:
            level = int(round(1 + size * 3 + rng.normal(0, 0.7) + (0.3 if d in ("knowledge", "quality") else 0)))
        level = min(5, max(1, level))
        comment = None
        if rng.random() < 0.15:
            comment = _pick(rng, ("Démarche engagée cette année.", "Pas de référent identifié.",
                                  "Dépend des moyens du ministère.", "Plan d'action en préparation."))
        rows.append({"dimension": model.MATURITY_DIMENSION.label_of(d),
                     "level": model.MATURITY_LEVEL.label_of(str(level)), "comment": comment})
    return pd.DataFrame(rows, columns=MATURITY.field_names)


def _person(rng: np.random.Generator) -> tuple[str, str]:
    first, last = _pick(rng, _FIRST_NAMES), _pick(rng, _LAST_NAMES)
    return first, last


def _service_row(svc: pd.Series, profile: str, year: int, ref: dt.date, rng: np.random.Generator,
                 prev: dict[str, Any] | None) -> dict[str, Any]:
    window_start = ref - dt.timedelta(days=95)
    answer = window_start + dt.timedelta(days=int(rng.integers(0, 70)))
    if prev is not None and rng.random() < 0.75 and prev.get("referent_name"):
        name, email, phone = prev["referent_name"], prev["referent_email"], prev["referent_phone"]
    elif year < 2021 and rng.random() < 0.08:
        # no referent designated in the first wave; by 2021 every respondent has one (a finding
        # of 2019 that the comparison shows as resolved)
        name = email = phone = None
    else:
        first, last = _person(rng)
        name = f"{first} {last}"
        domain = _DOMAINS.get(profile, "interieur.gouv.fr")
        email = f"{_slug(first).replace('-', '')}.{_slug(last).replace('-', '')}@{domain}"
        phone = "03 " + " ".join(f"{int(rng.integers(0, 100)):02d}" for _ in range(4))
        phone = "03 2" + phone[4:] if rng.random() < 0.5 else phone
    base_fte = 0.2 + _size(profile) ** 2 * 6
    fte = round(float(base_fte * rng.uniform(0.6, 1.2)) * 10) / 10
    if prev is not None and pd.notna(prev.get("data_fte")):
        fte = round(float(prev["data_fte"] * rng.uniform(1.0, 1.3)) * 10) / 10
    comment = None
    if rng.random() < 0.15:
        comment = _pick(rng, ("Réponse coordonnée avec les unités départementales.",
                              "Inventaire non exhaustif, à compléter.", "Réponse validée par la direction.",
                              "Plusieurs bases sont en cours de migration."))
    return {"service": svc["name"], "referent_name": name, "referent_email": email, "referent_phone": phone,
            "data_fte": min(6.0, max(0.2, fte)), "answer_date": answer, "comment": comment}


# --- edition -------------------------------------------------------------------------------------

def generate_edition(year: int, seed: int, scale: float, services: pd.DataFrame, arrangements: pd.DataFrame,
                     previous: EditionSample | None = None, *, region: str = "Hauts-de-France",
                     respondents: int | None = None, categories_total: int | None = None) -> EditionSample:
    """Build what each responding service answers in one wave (in memory, before writing).

    Args:
        year: survey year (2019, 2021…).
        seed: generator seed; the same seed gives the same answers.
        scale: volume factor on the number of data categories per service (1 = shipped sample).
        services: reference list of services (columns id, acronym, name, ministry, type, departement, variants).
        arrangements: reference list of arrangements (columns id, name, kind, variants, lead, description).
        previous: the previous wave; its respondents mostly answer again, with evolutions.
        region: region name (edition id and URLs).
        respondents: number of responding services (default: the shipped response rate).
        categories_total: if given, overrides ``scale`` to reach about this many categories in total.

    Returns:
        The wave's answers.
    """
    services = services.fillna("").astype(str).reset_index(drop=True)
    arrangements = arrangements.fillna("").astype(str).reset_index(drop=True)
    ref = _reference_date(year)
    rng = _rng(seed, year, 1)
    n = respondents if respondents is not None else RESPONDENTS.get(year, int(round(0.6 * len(services))))
    chosen = _select_respondents(services, year, rng, n, previous)
    profiles = {sid: service_profile(a, nm) for sid, a, nm in
                zip(services["id"], services["acronym"], services["name"], strict=True)}
    growth = 1.0 if year <= 2019 else 1.12  # services inventory more categories at each wave
    if categories_total is not None:
        base_sum = sum(_BASE_CATEGORIES.get(profiles[s], 5) for s in chosen)
        scale = categories_total / max(1, base_sum * growth)
    facts = _arrangement_facts(arrangements, year, ref, _rng(seed, year, 2),
                               previous.facts if previous is not None else None)
    leads = _leads(arrangements, services)
    prev_by_id = {r.service_id: r for r in previous.returns} if previous is not None else {}
    acronyms = dict(zip(services["id"], services["acronym"], strict=True))
    returns = []
    for i, sid in enumerate(chosen):
        srng = _rng(seed, year, 3, i)
        svc = services[services["id"] == sid].iloc[0]
        profile = profiles[sid]
        prev = prev_by_id.get(sid)
        n_cat = max(2, int(round(_BASE_CATEGORIES.get(profile, 5) * scale * growth * srng.uniform(0.85, 1.15))))
        cats = _categories(svc, profile, n_cat, year, region, srng, prev.categories if prev else None)
        others = [acronyms[o] for o in chosen if o != sid and profiles[o] in _GEO_CLUB]
        tools = _tools(profile, cats, srng, prev.tools if prev else None, others)
        cats = _link_tools(cats, tools)
        arr = _participations(sid, profile, arrangements, facts, leads, srng, prev.arrangements if prev else None)
        mat = _maturity(profile, year, srng, prev.maturity if prev else None)
        row = _service_row(svc, profile, year, ref, srng, prev.service if prev else None)
        returns.append(ServiceReturn(sid, profile, row, cats, tools, arr, mat))
    return EditionSample(
        edition_id=f"{_slug(region)}-{year}", region=region, year=year, reference_date=ref, seed=seed,
        services=services, arrangements=arrangements, returns=returns, facts=facts,
    )


# ---------------------------------------------------------------------------------------------
# Writing returns (with the mess of real answers)
# ---------------------------------------------------------------------------------------------

_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre")
_NOTES = ("Réponse consolidée par le secrétariat général, à compléter par les unités départementales.",
          "Certaines données sont gérées au niveau national : voir avec le ministère.",
          "Merci de nous recontacter pour toute précision.")


def _fr_number(value: float, decimals: int = 0, space: str = " ") -> str:
    text = f"{value:,.{decimals}f}".replace(",", "\u0000").replace(".", ",").replace("\u0000", space)
    return text


def _unambiguous_synonyms(vocab: Vocabulary) -> dict[str, list[str]]:
    seen: dict[str, set[str]] = {}
    for t in vocab.terms:
        for s in (t.label, *t.synonyms):
            seen.setdefault(_norm(s), set()).add(t.code)
    return {t.label: [s for s in t.synonyms if len(seen[_norm(s)]) == 1] for t in vocab.terms}


_SYNONYMS = {name: _unambiguous_synonyms(v) for name, v in model.VOCABULARIES.items()}


class _Formatter:
    """Turns clean values into cell values, as a respondent would type them (``mess``) or not."""

    def __init__(self, rng: np.random.Generator, mess: bool, text_only: bool = False):
        self.rng, self.mess, self.text_only = rng, mess, text_only

    def _p(self, p: float) -> bool:
        return self.mess and self.rng.random() < p

    def money(self, v: Any) -> Any:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return "n.c." if self._p(0.15) else None
        v = float(v)
        if not self.mess:
            return self._num(int(v))
        r = self.rng.random()
        space = "\u00a0" if self.rng.random() < 0.3 else " "
        if v >= 1_000_000 and v % 100_000 == 0 and r < 0.5:
            return f"{_fr_number(v / 1_000_000, 1 if v % 1_000_000 else 0)} M€"
        if v >= 1000 and v % 100 == 0 and r < 0.25:
            return f"{_fr_number(v / 1000, 0 if v % 1000 == 0 else 1)} k€"
        if r < 0.55:
            return f"{_fr_number(v, space=space)} €"
        if r < 0.65:
            return f"{_fr_number(v, 2, space=space)} €"
        return self._num(int(v))

    def fte(self, v: Any) -> Any:
        if v is None:
            return None
        v = float(v)
        if not self.mess:
            return self._num(v)
        r = self.rng.random()
        fractions = {0.5: "1/2", 0.25: "1/4", 0.75: "3/4"}
        if v in fractions and r < 0.4:
            return fractions[v]
        if v < 1 and r < 0.3:
            return f"{int(round(v * 100))} %"
        if r < 0.6:
            return f"{_fr_number(v, 1).replace(',0', '')} ETP"
        if r < 0.7:
            return _fr_number(v, 1)
        return self._num(v)

    def integer(self, v: Any) -> Any:
        if v is None:
            return None
        return str(int(v)) if self._p(0.2) else self._num(int(v))

    def boolean(self, v: Any) -> Any:
        if v is None:
            return "non renseigné" if self._p(0.5) else None
        if not self.mess:
            return "Oui" if v else "Non"
        if v:
            return _pick(self.rng, ("Oui", "Oui", "oui", "X", "x", "OUI"))
        return _pick(self.rng, ("Non", "Non", "non", "NON"))

    def date(self, v: Any) -> Any:
        if v is None:
            return None
        if not self.mess:
            return v.strftime("%d/%m/%Y") if self.text_only else v
        r = self.rng.random()
        if v.day == 1 and r < 0.2:
            return f"{_MONTHS[v.month - 1]} {v.year}"
        if r < 0.55 or self.text_only:
            return v.strftime("%d/%m/%Y")
        return v

    def choice(self, vocab: Vocabulary, label: Any) -> Any:
        if label is None:
            return None
        if vocab is model.MATURITY_LEVEL and self._p(0.3):
            return self._num(int(model.MATURITY_LEVEL.code_of(label)))
        if not self._p(0.25):
            return label
        r = self.rng.random()
        synonyms = _SYNONYMS[vocab.name].get(label, [])
        if synonyms and r < 0.5:
            return _pick(self.rng, synonyms)
        if r < 0.75:
            return label.lower()
        return _ascii(label)

    def multichoice(self, vocab: Vocabulary, value: Any) -> Any:
        if value is None:
            return None
        items = [self.choice(vocab, x) for x in str(value).split(model.MULTI_SEPARATOR)]
        if not self.mess:
            return model.MULTI_SEPARATOR.join(items)
        seps = ["; ", ";"] + ([", "] if not any("," in str(i) for i in items) else [])
        return _pick(self.rng, seps).join(str(i) for i in items)

    def _num(self, v: float | int) -> Any:
        if not self.text_only:
            return v
        return _fr_number(v, 0 if float(v).is_integer() else 2)


def _cell(fmt: _Formatter, f: model.Field, value: Any, arrangement_variants: dict[str, list[str]]) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        value = None
    kind = f.kind
    if kind == "money":
        return fmt.money(value)
    if kind == "fte":
        return fmt.fte(value)
    if kind == "integer":
        return fmt.integer(value)
    if kind == "bool":
        return fmt.boolean(value)
    if kind == "date":
        return fmt.date(value)
    if kind == "choice":
        return fmt.choice(f.vocab, value)
    if kind == "multichoice":
        return fmt.multichoice(f.vocab, value)
    if kind == "arrangement" and value is not None and fmt.mess:
        variants = arrangement_variants.get(value, [])
        if variants and fmt.rng.random() < 0.55:
            return _pick(fmt.rng, variants)
        return value
    if kind == "phone" and value is not None and fmt._p(0.3):
        return value.replace(" ", ".")
    return value


def _ambiguous_headers(section: Section) -> set[str]:
    counts: dict[str, int] = {}
    for f in section.fields:
        for h in {_norm(f.label), *(_norm(s) for s in f.synonyms)}:
            counts[h] = counts.get(h, 0) + 1
    return {h for h, c in counts.items() if c > 1}


@dataclass
class _Sheet:
    name: str
    section: Section | None
    rows: list[list[Any]]
    tags: list[str | None]
    header_row: int = 0  # index of the header in ``rows``


def _section_sheet(section: Section, df: pd.DataFrame | dict | None, fmt: _Formatter,
                   variants: dict[str, list[str]], overrides: dict[str, Any] | None = None) -> _Sheet:
    header = [f.label for f in section.fields]
    rows: list[list[Any]] = [header]
    records = [df] if isinstance(df, dict) else ([] if df is None else df.to_dict("records"))
    for rec in records:
        rec = {**rec, **(overrides or {})}
        rows.append([_cell(fmt, f, rec.get(f.name), variants) for f in section.fields])
    return _Sheet(section.sheet, section, rows, [None] * len(rows))


def _insert(sheet: _Sheet, index: int, row: list[Any], tag: str | None) -> None:
    sheet.rows.insert(index, row)
    sheet.tags.insert(index, tag)


def _log(log: list[dict[str, Any]], file: str, sheet: str | None, row: int | None, kind: str, detail: str) -> None:
    log.append({"file": file, "sheet": sheet, "row": row, "kind": kind, "detail": detail})


def _file_names(acronym: str, region: str, year: int, when: dt.date) -> list[str]:
    short = "".join(w[0] for w in re.split(r"[-\s]+", region) if w).upper()
    a_ = _ascii(acronym).replace(" ", "_").replace("'", "")
    return [
        f"Questionnaire données {acronym} VF.xlsx",
        f"enquete_data_{a_}_{short}_v2.xlsx",
        f"{acronym} - réponse.xlsx",
        f"Réponse questionnaire stratégie données - {acronym}.xlsx",
        f"{a_}_questionnaire_{year}.xlsx",
        f"Copie de Questionnaire_{year} {acronym}.xlsx",
        f"{acronym} enquête données {when.strftime('%d.%m.%Y')}.xlsx",
        f"questionnaire-donnees-{_slug(acronym)}.xlsx",
        f"Enquête stratégie de la donnée {acronym} {short}.xlsx",
    ]


def _misspell(acronym: str, region: str) -> str:
    words = region.replace("-", " ")
    cut = min(4, len(words) - 1)
    return f"{acronym} {words[:cut] + words[cut + 1:]}"


def _fixed_zip(data: bytes, when: dt.datetime) -> bytes:
    """Rewrite a workbook archive with fixed timestamps so that the same answers give the same bytes."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                                 rb"\g<1>" + stamp.encode() + rb"\g<2>", content)
            zi = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, content)
    return out.getvalue()


def _save_workbook(path: Path, sheets: list[_Sheet], when: dt.date) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    stamp = dt.datetime(when.year, when.month, when.day, 10, 0, 0)
    wb.properties.creator = "Questionnaire stratégie de la donnée"
    wb.properties.created = stamp
    wb.properties.modified = stamp
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        for r, row in enumerate(sheet.rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, dt.date):
                    cell.number_format = "DD/MM/YYYY"
        if sheet.section is not None:
            for c, f in enumerate(sheet.section.fields, start=1):
                ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width = f.width
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(_fixed_zip(buffer.getvalue(), stamp))


def _save_csv(path: Path, sheet: _Sheet) -> None:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    for row in sheet.rows:
        writer.writerow(["" if v is None else v for v in row])
    path.write_bytes(text.getvalue().encode("cp1252", errors="replace"))


def _save_docx(path: Path, paragraphs: list[str], when: dt.date) -> None:
    """A real, minimal Word document (not a questionnaire)."""
    from xml.sax.saxutils import escape

    body = "".join(f"<w:p><w:r><w:t xml:space=\"preserve\">{escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>"),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>'),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>"),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in parts.items():
            z.writestr(zipfile.ZipInfo(name, date_time=(when.year, when.month, when.day, 10, 0, 0)),
                       content.encode("utf-8"))
    path.write_bytes(out.getvalue())


_SINGLE_MESS = (
    ("misspelled", ("dreal",)),
    ("csv", ("ars", "insee", "draaf")),
    ("two_versions", ("ddtm", "ddt")),
    ("header_offset", ("draaf", "ddets", "drfip")),
    ("header_offset", ("rectorat", "prefecture", "dreets")),
    ("missing_title", ("ddt", "prefecture", "ddets")),
    ("unknown_theme", ("sgar", "drac", "ddpp")),
    ("impossible_cost", ("cerema", "ademe", "aeap")),
)


def _plan(sample: EditionSample, rng: np.random.Generator) -> dict[str, set[str]]:
    """Decide which return carries which planted anomaly."""
    ids = sample.respondents
    profiles = {r.service_id: r.profile for r in sample.returns}
    plan: dict[str, set[str]] = {sid: set() for sid in ids}
    taken: set[str] = set()
    for kind, prefs in _SINGLE_MESS:
        candidates = [s for p in prefs for s in ids if profiles[s] == p and s not in taken]
        if not candidates:
            candidates = [s for s in ids if s not in taken]
        if candidates:
            sid = candidates[0] if profiles[candidates[0]] in prefs else _pick(rng, candidates)
            plan[sid].add(kind)
            taken.add(sid)
    for kind, k in (("duplicate", 3), ("renamed_columns", 4), ("renamed_sheets", 3), ("extra_sheet", 5)):
        for sid in _pick(rng, ids, k=min(k, len(ids))):
            plan[sid].add(kind)
    for sid in ids:
        if rng.random() < 0.3:
            plan[sid].add("blank_rows")
    return plan


def _typed_service_name(svc: pd.Series, rng: np.random.Generator) -> str:
    variants = [v for v in svc["variants"].split("|") if v]
    r = rng.random()
    if r < 0.35 or (r >= 0.5 and r < 0.85 and not variants):
        return svc["name"]
    if r < 0.5:
        return svc["acronym"]
    if r < 0.85:
        return _pick(rng, variants)
    return f"{svc['acronym']} - {svc['name']}"


def _bad_rows(kinds: set[str], cats: _Sheet, fmt: _Formatter, rng: np.random.Generator) -> None:
    base = {
        "title": None, "description": None, "theme": model.THEME.administration, "origin": model.ORIGIN.produced,
        "diffusion": model.DIFFUSION.publishable, "personal_data": False, "geographic": False,
    }
    extra = []
    if "missing_title" in kinds:
        extra.append(({**base, "description": "Données diverses à préciser"}, None, None,
                      "ligne inutilisable : intitulé manquant"))
    if "unknown_theme" in kinds:
        extra.append(({**base, "title": "Données diverses"}, "theme", "Divers ???",
                      "ligne inutilisable : thème inconnu « Divers ??? »"))
    if "impossible_cost" in kinds:
        extra.append(({**base, "title": "Images satellitaires haute résolution", "theme": model.THEME.territory,
                       "origin": model.ORIGIN.acquired, "supplier": "Airbus Defence and Space",
                       "acquisition_mode": model.ACQUISITION_MODE.paid_licence,
                       "diffusion": model.DIFFUSION.restricted, "legal_ground": model.LEGAL_GROUND.third_party_ip,
                       "geographic": True, "inspire_theme": model.INSPIRE_THEME.oi},
                      "annual_cost", "beaucoup", "valeur impossible : coût annuel « beaucoup »"))
    for rec, col, raw, tag in extra:
        row = [_cell(fmt, f, rec.get(f.name), {}) for f in CATEGORIES.fields]
        if col is not None:
            row[CATEGORIES.field_names.index(col)] = raw
        _insert(cats, int(rng.integers(1, len(cats.rows) + 1)), row, tag)


def _structural_mess(kinds: set[str], sheets: list[_Sheet], rng: np.random.Generator, title: str,
                     log_renames: list[tuple[str, str, str]]) -> list[_Sheet]:
    data_sheets = [s for s in sheets if s.section is not None and s.section is not SERVICE and len(s.rows) > 1]
    if "duplicate" in kinds and data_sheets:
        sheet = data_sheets[0] if rng.random() < 0.7 else _pick(rng, data_sheets)
        i = int(rng.integers(1, len(sheet.rows)))
        while sheet.tags[i] is not None and i > 1:
            i -= 1
        _insert(sheet, i + 1 if rng.random() < 0.5 else len(sheet.rows), list(sheet.rows[i]), "ligne dupliquée")
    if "blank_rows" in kinds and data_sheets:
        sheet = data_sheets[0]
        for _ in range(int(rng.integers(1, 4))):
            _insert(sheet, int(rng.integers(2, len(sheet.rows) + 1)), [None] * len(sheet.rows[0]), "ligne vide")
    if "renamed_columns" in kinds:
        candidates = [s for s in sheets if s.section is not None]
        sheet = _pick(rng, candidates)
        ambiguous = _ambiguous_headers(sheet.section)
        options = [(j, f, s) for j, f in enumerate(sheet.section.fields) for s in f.synonyms
                   if _norm(s) not in ambiguous]
        fields_done: set[int] = set()
        for j, f, syn in _pick(rng, options, k=min(len(options), 4)):
            if j in fields_done or len(fields_done) >= 3:
                continue
            fields_done.add(j)
            new = syn[:1].upper() + syn[1:]
            sheet.rows[sheet.header_row][j] = new
            log_renames.append((sheet.name, f.label, new))
    if "renamed_sheets" in kinds:
        candidates = [s for s in sheets if s.section is not None and s.section.sheet_synonyms]
        for sheet in _pick(rng, candidates, k=min(len(candidates), int(rng.integers(1, 3)))):
            new = _pick(rng, sheet.section.sheet_synonyms)
            log_renames.append(("(onglet)", sheet.name, new))
            sheet.name = new
    if "header_offset" in kinds:
        for sheet in sheets:
            if sheet.section in (CATEGORIES, TOOLS):
                _insert(sheet, 0, [None] * len(sheet.rows[0]), "titre au-dessus de l'en-tête")
                _insert(sheet, 0, [title] + [None] * (len(sheet.rows[0]) - 1), "titre au-dessus de l'en-tête")
                sheet.header_row = 2
    if "extra_sheet" in kinds:
        if rng.random() < 0.5:
            sheets.append(_Sheet("Notes", None, [[_pick(rng, _NOTES)]], ["onglet supplémentaire"]))
        else:
            sheets.append(_Sheet("Feuil1", None, [[None]], ["onglet supplémentaire"]))
    return sheets


def _unique_name(name: str, used: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    candidate, k = name, 2
    while candidate.lower() in used:
        candidate = f"{stem} ({k}).{ext}"
        k += 1
    used.add(candidate.lower())
    return candidate


def _build_sheets(ret: ServiceReturn, fmt: _Formatter, typed_name: str, variants: dict[str, list[str]],
                  mess: bool, rng: np.random.Generator, overrides: dict[str, Any] | None = None,
                  drop_categories: int = 0) -> list[_Sheet]:
    service = {**ret.service, "service": typed_name, **(overrides or {})}
    cats = ret.categories.iloc[: len(ret.categories) - drop_categories] if drop_categories else ret.categories
    sheets = [
        _section_sheet(SERVICE, service, fmt, variants),
        _section_sheet(CATEGORIES, cats, fmt, variants),
        _section_sheet(TOOLS, ret.tools, fmt, variants),
        _section_sheet(ARRANGEMENTS, ret.arrangements, fmt, variants),
    ]
    if ret.maturity is not None or not mess or rng.random() < 0.5:
        sheets.append(_section_sheet(MATURITY, ret.maturity, fmt, variants))
    return sheets


def _log_sheets(log: list[dict[str, Any]], file: str, sheets: list[_Sheet]) -> None:
    for sheet in sheets:
        for j, tag in enumerate(sheet.tags):
            if tag is not None:
                _log(log, file, sheet.name, j + 1 if sheet.section is not None else None, tag, "")


def write_returns(sample: EditionSample, folder: Path, mess: bool = True) -> list[Path]:
    """Write one questionnaire per return (plus, with ``mess``, the odd files real campaigns receive).

    Args:
        sample: the wave's answers.
        folder: the edition's survey folder (created if needed; existing files of the same name
            are overwritten, others are left alone).
        mess: plant the anomalies of real returns; ``False`` writes clean, canonical workbooks.

    Returns:
        The files written. The planted anomalies are in ``sample.mess_log``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    rng = _rng(sample.seed, sample.year, 9)
    plan = _plan(sample, rng) if mess else {}
    services = sample.services.set_index("id", drop=False)
    variants = {n: [v for v in vs.split("|") if v] for n, vs in
                zip(sample.arrangements["name"], sample.arrangements["variants"], strict=True)}
    log: list[dict[str, Any]] = []
    used: set[str] = set()
    written: list[Path] = []
    for i, ret in enumerate(sample.returns):
        frng = _rng(sample.seed, sample.year, 10, i)
        fmt = _Formatter(frng, mess)
        kinds = plan.get(ret.service_id, set())
        svc = services.loc[ret.service_id]
        acronym = svc["acronym"]
        answer = ret.service["answer_date"]
        if not mess:
            typed, name = svc["name"], f"{_slug(acronym)}.xlsx"
        else:
            typed = _misspell(acronym, sample.region) if "misspelled" in kinds else _typed_service_name(svc, frng)
            name = _pick(frng, _file_names(acronym, sample.region, sample.year, answer))
            if "two_versions" in kinds:
                name = f"Questionnaire données {acronym} VF.xlsx"
        name = _unique_name(name, used)
        if typed != svc["name"]:
            kind = "nom du service mal orthographié" if "misspelled" in kinds else "nom du service (sigle, variante)"
            _log(log, name, SERVICE.sheet, 2, kind, f"« {typed} » pour « {svc['name']} »")
        if "two_versions" in kinds:
            first = _unique_name(f"Questionnaire données {acronym}.xlsx", used)
            early = answer - dt.timedelta(days=int(frng.integers(10, 25)))
            sheets = _build_sheets(ret, _Formatter(_rng(sample.seed, sample.year, 11, i), mess), typed, variants,
                                   mess, frng, {"answer_date": early, "comment": "Version provisoire."},
                                   drop_categories=min(2, max(0, len(ret.categories) - 1)))
            _save_workbook(folder / first, sheets, early)
            written.append(folder / first)
            _log(log, first, None, None, "deux versions", f"version provisoire, remplacée par « {name} »")
            _log(log, name, None, None, "deux versions", f"version corrigée de « {first} » (date de réponse plus tardive)")
        sheets = _build_sheets(ret, fmt, typed, variants, mess, frng)
        if mess:
            _bad_rows(kinds, sheets[1], fmt, frng)
            renames: list[tuple[str, str, str]] = []
            title = f"Questionnaire « Stratégie de la donnée » — réponse {acronym}"
            sheets = _structural_mess(kinds, sheets, frng, title, renames)
            for sheet_name, old, new in renames:
                kind = "onglet renommé" if sheet_name == "(onglet)" else "colonne renommée"
                _log(log, name, None if sheet_name == "(onglet)" else sheet_name, None, kind, f"« {old} » → « {new} »")
        if "csv" in kinds:
            csv_sheet = _section_sheet(CATEGORIES, ret.categories, _Formatter(frng, True, text_only=True), variants)
            csv_name = _unique_name(f"{name.rsplit('.', 1)[0]}_donnees.csv", used)
            _save_csv(folder / csv_name, csv_sheet)
            written.append(folder / csv_name)
            sheets = [s for s in sheets if s.section is not CATEGORIES]
            _log(log, csv_name, None, None, "export CSV",
                 f"onglet Données envoyé à part, en CSV cp1252 séparé par « ; » (accompagne « {name} »)")
        _save_workbook(folder / name, sheets, answer)
        written.append(folder / name)
        _log_sheets(log, name, sheets)
    if mess:
        written += _write_odd_files(sample, folder, used, log)
    sample.mess_log = pd.DataFrame(log, columns=["file", "sheet", "row", "kind", "detail"])
    return written


def _write_odd_files(sample: EditionSample, folder: Path, used: set[str], log: list[dict[str, Any]]) -> list[Path]:
    """The unknown service's return and a file that is not a questionnaire."""
    rng = _rng(sample.seed, sample.year, 12)
    unknown = "Mairie de Beauvais" if sample.year >= 2021 else "Service X"
    fake = pd.Series({"id": "", "acronym": unknown, "name": unknown, "ministry": "", "type": "", "departement": "",
                      "variants": ""})
    cats = _categories(fake, "other", 3, sample.year, sample.region, rng, None)
    tools = _tools("other", cats, rng, None, [])
    ret = ServiceReturn("", "other", _service_row(fake, "other", sample.year, sample.reference_date, rng, None),
                        _link_tools(cats, tools), tools,
                        pd.DataFrame(columns=[*ARRANGEMENTS.field_names, "_arrangement_id"]), None)
    name = _unique_name(f"Réponse {unknown}.xlsx", used)
    sheets = _build_sheets(ret, _Formatter(rng, True), unknown, {}, True, rng)
    _save_workbook(folder / name, sheets, ret.service["answer_date"])
    _log(log, name, SERVICE.sheet, 2, "service inconnu", f"« {unknown} » n'est pas un service de l'État de la liste")
    doc = _unique_name("Compte-rendu réunion.docx", used)
    when = sample.reference_date - dt.timedelta(days=100)
    _save_docx(folder / doc, [
        "Compte-rendu de la réunion du réseau des référents données (document fictif)",
        f"Date : {when.strftime('%d/%m/%Y')}",
        "Présents : les référents données des services régionaux et départementaux.",
        "Ordre du jour : présentation du questionnaire, calendrier de réponse, questions diverses.",
        "Relevé de décisions : les services renvoient le questionnaire complété au SGAR.",
    ], when)
    _log(log, doc, None, None, "fichier hors questionnaire", "document Word joint par erreur")
    return [folder / name, folder / doc]


# ---------------------------------------------------------------------------------------------
# The shipped sample and the national benchmark campaign
# ---------------------------------------------------------------------------------------------

_README_MARK = "générées par le script"


def _readme(sample: EditionSample, files: list[Path], seed: int) -> str:
    lines = [
        f"Réponses FICTIVES — enquête « Stratégie de la donnée de l'État en {sample.region} », édition {sample.year}",
        "",
        f"Les fichiers de ce dossier sont des réponses fictives {_README_MARK} de l'échantillon :",
        f"    python -m analysis sample --seed {seed}",
        "Ils ne décrivent aucun service réel : noms de personnes, adresses électroniques, montants, effectifs",
        "et fichiers sont inventés. Ils servent à illustrer et à tester l'outil.",
        "",
        f"{len(sample.returns)} services répondants sur {len(sample.services)} services de la liste de référence.",
        "",
        "Comme dans une vraie campagne, les réponses contiennent des anomalies volontaires, que le",
        "nettoyage (python -m analysis ingest) doit corriger ou rejeter :",
        "",
    ]
    log = sample.mess_log
    for kind, group in log.groupby("kind", sort=True):
        files_of_kind = sorted(set(group["file"]))
        lines.append(f"- {kind} ({len(group)}) : " + ", ".join(files_of_kind[:6]) + (" …" if len(files_of_kind) > 6 else ""))
    lines += ["", "Fichiers :"] + [f"- {p.name}" for p in sorted(files, key=lambda p: p.name.lower())]
    lines += ["", "Détail des anomalies (fichier | onglet | ligne | anomalie | précision) :"]
    for rec in log.to_dict("records"):
        row = "" if rec["row"] is None or pd.isna(rec["row"]) else str(int(rec["row"]))
        lines.append(" | ".join([rec["file"], rec["sheet"] or "", row, rec["kind"], rec["detail"] or ""]).rstrip(" |"))
    return "\n".join(lines) + "\n"


def _clean_sample_folder(folder: Path) -> None:
    """Remove the files of a previous generation (only in a folder marked as a generated sample)."""
    readme = folder / "LISEZMOI.txt"
    if not readme.is_file() or _README_MARK not in readme.read_text(encoding="utf-8"):
        return
    for p in folder.iterdir():
        if p.is_file() and p.suffix.lower() in (".xlsx", ".csv", ".docx", ".txt"):
            p.unlink()


#: Platforms whose catalogues are harvested (the others, such as a service's own site, are not).
_HARVESTED = ("datagouv", "geo2france", "geoide")

CATALOGUE_FOLDER = "catalogues-publies"


def published_catalogue(sample: EditionSample, seed: int) -> pd.DataFrame:
    """What the public catalogues hold for the sample's services (fictional harvest records).

    Most categories declared published on a harvested platform have a record there; some do not
    (declared but never catalogued), and a few services have records for data they did not
    declare published (older vintages, data published by a unit that did not answer), as real
    cross-checks show.

    Returns:
        one row per record: organisation, titre, plateforme, url.
    """
    rng = _rng(seed, sample.year, 90)
    cats = sample.table("categories")
    ref = sample.services.set_index("id")
    rows = []
    for _, c in cats.iterrows():
        platform = c.get("platform")
        if not isinstance(platform, str) or c.get("diffusion") != model.DIFFUSION.published:
            continue
        code = model.PLATFORM.code_of(platform)
        if code not in _HARVESTED or rng.random() < 0.2:
            continue
        org = ref.loc[c["service_id"], "name"] if rng.random() < 0.5 else ref.loc[c["service_id"], "acronym"]
        rows.append({"organisation": org, "titre": c["title"], "plateforme": platform, "url": c.get("url")})
    respondents = sorted(set(cats["service_id"]))
    for sid in _pick(rng, respondents, k=min(6, len(respondents))):
        platform = model.PLATFORM.label_of(str(_pick(rng, _HARVESTED)))
        for k in range(int(rng.integers(1, 5))):
            rows.append({"organisation": ref.loc[sid, "name"], "titre": f"Jeu de données historique {k + 1} ({sample.year - 2})",
                         "plateforme": platform, "url": None})
    return pd.DataFrame(rows, columns=["organisation", "titre", "plateforme", "url"])


def write_sample(out_dir: Path, seed: int = 2019, scale: float = 1.0) -> list[Path]:
    """Generate and write the two waves (2019, 2021) of the fictional Hauts-de-France sample.

    Args:
        out_dir: root of the survey folders (``data/raw`` for the shipped sample).
        seed: generator seed.
        scale: volume factor on data categories per service.

    Returns:
        The edition folders written (``<out_dir>/hauts-de-france-2019``, ``…-2021``).
    """
    services, arrangements = load_reference()
    out_dir = Path(out_dir)
    previous = None
    folders = []
    for year in (2019, 2021):
        sample = generate_edition(year, seed, scale, services, arrangements, previous)
        folder = out_dir / sample.edition_id
        folder.mkdir(parents=True, exist_ok=True)
        _clean_sample_folder(folder)
        files = write_returns(sample, folder, mess=True)
        (folder / "LISEZMOI.txt").write_text(_readme(sample, files, seed), encoding="utf-8")
        catalogues = out_dir / CATALOGUE_FOLDER
        catalogues.mkdir(exist_ok=True)
        published_catalogue(sample, seed).to_csv(
            catalogues / f"{sample.edition_id}.csv", sep=";", index=False, encoding="utf-8", lineterminator="\n"
        )
        folders.append(folder)
        previous = sample
    return folders


_REGIONS = (
    ("Auvergne-Rhône-Alpes", (("01", "Ain"), ("03", "Allier"), ("07", "Ardèche"), ("15", "Cantal"), ("26", "Drôme"))),
    ("Bourgogne-Franche-Comté", (("21", "Côte-d'Or"), ("25", "Doubs"), ("39", "Jura"), ("58", "Nièvre"),
                                 ("70", "Haute-Saône"))),
    ("Bretagne", (("22", "Côtes-d'Armor"), ("29", "Finistère"), ("35", "Ille-et-Vilaine"), ("56", "Morbihan"),
                  ("99", "Département fictif"))),
    ("Centre-Val de Loire", (("18", "Cher"), ("28", "Eure-et-Loir"), ("36", "Indre"), ("37", "Indre-et-Loire"),
                             ("41", "Loir-et-Cher"))),
    ("Corse", (("2A", "Corse-du-Sud"), ("2B", "Haute-Corse"), ("97", "Département fictif A"),
               ("98", "Département fictif B"), ("99", "Département fictif C"))),
    ("Grand Est", (("08", "Ardennes"), ("10", "Aube"), ("51", "Marne"), ("52", "Haute-Marne"), ("54",
                                                                                               "Meurthe-et-Moselle"))),
    ("Île-de-France", (("75", "Paris"), ("77", "Seine-et-Marne"), ("78", "Yvelines"), ("91", "Essonne"),
                       ("92", "Hauts-de-Seine"))),
    ("Normandie", (("14", "Calvados"), ("27", "Eure"), ("50", "Manche"), ("61", "Orne"), ("76", "Seine-Maritime"))),
    ("Nouvelle-Aquitaine", (("16", "Charente"), ("17", "Charente-Maritime"), ("19", "Corrèze"), ("23", "Creuse"),
                            ("24", "Dordogne"))),
    ("Occitanie", (("09", "Ariège"), ("11", "Aude"), ("12", "Aveyron"), ("30", "Gard"), ("31", "Haute-Garonne"))),
    ("Pays de la Loire", (("44", "Loire-Atlantique"), ("49", "Maine-et-Loire"), ("53", "Mayenne"), ("72", "Sarthe"),
                          ("85", "Vendée"))),
    ("Provence-Alpes-Côte d'Azur", (("04", "Alpes-de-Haute-Provence"), ("05", "Hautes-Alpes"),
                                    ("06", "Alpes-Maritimes"), ("13", "Bouches-du-Rhône"), ("83", "Var"))),
    ("Guadeloupe", (("971", "Guadeloupe"), ("91", "Département fictif A"), ("92", "Département fictif B"),
                    ("93", "Département fictif C"), ("94", "Département fictif D"))),
    ("Martinique", (("972", "Martinique"), ("91", "Département fictif A"), ("92", "Département fictif B"),
                    ("93", "Département fictif C"), ("94", "Département fictif D"))),
    ("Guyane", (("973", "Guyane"), ("91", "Département fictif A"), ("92", "Département fictif B"),
                ("93", "Département fictif C"), ("94", "Département fictif D"))),
    ("La Réunion", (("974", "La Réunion"), ("91", "Département fictif A"), ("92", "Département fictif B"),
                    ("93", "Département fictif C"), ("94", "Département fictif D"))),
    ("Mayotte", (("976", "Mayotte"), ("91", "Département fictif A"), ("92", "Département fictif B"),
                 ("93", "Département fictif C"), ("94", "Département fictif D"))),
    ("Hauts-de-France", (("02", "Aisne"), ("59", "Nord"), ("60", "Oise"), ("62", "Pas-de-Calais"), ("80", "Somme"))),
)
_HDF_DEPARTEMENTS = (("02", "Aisne"), ("59", "Nord"), ("60", "Oise"), ("62", "Pas-de-Calais"), ("80", "Somme"))
_OLD_REGIONS = re.compile(r"Nord-Pas-de-Calais-Picardie|Nord-Pas-de-Calais|Nord-Picardie|Picardie|NPdC")


def _short(region: str) -> str:
    """Short code of a region (``HDF``, ``BRE``)."""
    words = [w for w in re.split(r"[-\s']+", _ascii(region)) if w]
    return "".join(w[0] for w in words).upper() if len(words) > 1 else words[0][:3].upper()


def _region_of(index: int) -> tuple[str, tuple]:
    if index < len(_REGIONS):
        return _REGIONS[index]
    name = f"Région fictive {index + 1}"
    return name, tuple((f"{90 + k}", f"Département fictif {chr(65 + k)}") for k in range(5))


def _rename_text(text: str, region: str, short: str, dept: tuple[str, str, str, str] | None) -> str:
    text = text.replace("des Hauts-de-France", f"de la région {region}")
    text = text.replace("Hauts-de-France", region).replace("Hauts de France", region.replace("-", " "))
    text = re.sub(r"\bH[dD]F\b", short, text)
    text = _OLD_REGIONS.sub(region, text)
    if dept is not None:
        old_code, old_name, new_code, new_name = dept
        text = re.sub(rf"(de l'|du |de la )?{re.escape(old_name)}\b",
                      lambda m: ("de " if m.group(1) else "") + new_name, text)
        text = re.sub(rf"(?<![0-9]){old_code}(?![0-9])", new_code, text)
    return text


def _rename_services(services: pd.DataFrame, region: str, departements: tuple) -> pd.DataFrame:
    short = _short(region)
    codes = {old: (old, name, *departements[k]) for k, (old, name) in enumerate(_HDF_DEPARTEMENTS)}
    rows = []
    for rec in services.to_dict("records"):
        dept = codes.get(rec["departement"])
        out = dict(rec)
        for col in ("id", "acronym", "name"):
            out[col] = _rename_text(rec[col], region, short, dept)
        variants = [v for v in rec["variants"].split("|") if v and not _OLD_REGIONS.search(v)]
        renamed = []
        for v in variants:
            v = _rename_text(v, region, short, dept)
            if v not in renamed:
                renamed.append(v)
        out["variants"] = "|".join(renamed)
        out["departement"] = dept[2] if dept else rec["departement"]
        rows.append(out)
    return pd.DataFrame(rows, columns=services.columns)


def _rename_arrangements(arrangements: pd.DataFrame, region: str) -> pd.DataFrame:
    short = _short(region)
    word = re.sub(r"[^A-Za-zÀ-ÿ]", "", region.split("-")[0].split(" ")[0])
    rows = []
    for rec in arrangements.to_dict("records"):
        out = {k: _rename_text(str(v), region, short, None) for k, v in rec.items()}
        out["id"] = rec["id"]
        if rec["id"] == "GEO2FRANCE":
            out["name"] = f"Géo{word}"
            out["variants"] = "|".join([f"Geo{word}", f"Géo {word}", f"plateforme Géo{word}", f"geo{_slug(word)}.fr"])
        else:
            out["variants"] = "|".join(_rename_text(v, region, short, None) for v in rec["variants"].split("|")
                                       if v and not _OLD_REGIONS.search(v))
        rows.append(out)
    return pd.DataFrame(rows, columns=arrangements.columns)


def write_national(out_dir: Path, regions: int = 18, returns: int = 700, categories: int = 100_000,
                   seed: int = 2021) -> list[Path]:
    """Write a national-scale fictional campaign (benchmarks): one survey folder per region.

    Each region gets the Hauts-de-France reference lists renamed (« DREAL Bretagne »…), written
    in ``out_dir`` as ``services-<région>.csv`` and ``dispositifs-<région>.csv``, and an edition
    file ``<région>-2021.yaml`` loadable by ``analysis.edition.load_edition``; ``campagne.yml``
    lists the edition files (``ingest --campaign``, ``build --campaign``).

    Args:
        out_dir: destination folder.
        regions: number of regions (beyond the 18 French regions, fictional ones are added).
        returns: total number of returns, spread evenly over the regions.
        categories: approximate total number of data categories.
        seed: generator seed.

    Returns:
        The edition files written, one per region.
    """
    services, arrangements = load_reference()
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    editions = []
    for r in range(regions):
        region, departements = _region_of(r)
        n_returns = min(len(services), returns // regions + (1 if r < returns % regions else 0))
        if n_returns < 1:
            continue
        reg_services = _rename_services(services, region, departements)
        reg_arrangements = _rename_arrangements(arrangements, region)
        sample = generate_edition(2021, seed + 7919 * r, 1.0, reg_services, reg_arrangements, None, region=region,
                                  respondents=n_returns,
                                  categories_total=max(n_returns * 2, int(categories * n_returns / max(1, returns))))
        folder = out_dir / sample.edition_id
        folder.mkdir(parents=True, exist_ok=True)
        write_returns(sample, folder, mess=True)
        slug = _slug(region)
        services_csv = out_dir / f"services-{slug}.csv"
        arrangements_csv = out_dir / f"dispositifs-{slug}.csv"
        reg_services.to_csv(services_csv, index=False)
        reg_arrangements.to_csv(arrangements_csv, index=False)
        edition = {
            "edition": sample.edition_id,
            "region": region,
            "year": 2021,
            "title": f"Stratégie de la donnée de l'État en {region} — état des lieux 2021 (campagne fictive)",
            "reference_date": sample.reference_date,
            "survey_dir": str(folder),
            "reference": {"services": str(services_csv), "arrangements": str(arrangements_csv)},
            "audiences": ["interne", "public"],
            "fictional": True,
            "fuzzy_threshold": 85,
        }
        path = out_dir / f"{sample.edition_id}.yaml"
        header = "# Campagne nationale FICTIVE générée par analysis.sample.write_national (bancs d'essai).\n"
        path.write_text(header + yaml.safe_dump(edition, allow_unicode=True, sort_keys=False), encoding="utf-8")
        editions.append(path)
    campaign = {"editions": [str(p) for p in editions]}
    (out_dir / "campagne.yml").write_text(
        "# Campagne nationale FICTIVE (analysis.sample.write_national) : python -m analysis ingest "
        "--campaign <ce fichier>, puis build --campaign <ce fichier>.\n"
        + yaml.safe_dump(campaign, allow_unicode=True), encoding="utf-8")
    return editions
