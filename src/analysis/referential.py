"""Reference lists of the region's State services and partnership arrangements, and name resolution.

Respondents name their service and the arrangements they take part in as they please: acronyms
("DDTM59"), former names ("DREAL Nord-Pas-de-Calais", "DIRECCTE"), spellings with or without
accents, typos. This module loads the two curated reference lists of ``data/reference/`` and
resolves such a raw name to one stable reference ``id``, saying how it was matched so that the
quality chapter can list every match an analyst must check.

Resolution order, first hit wins:

1. ``exact``: the raw text is a reference name or id, character for character;
2. ``acronym``: same normalised key as a reference acronym, the département being written as a
   number, a name or "du Nord" alike ("DDTM59", "DDTM du Nord", "DDTM (59)" all give ``DDTM-59``);
3. ``variant``: same normalised key as a known former name or usual spelling (or as the name);
4. ``fuzzy``: the closest spelling by rapidfuzz, accepted when its score reaches the threshold
   and no other entry comes close (a "DDTM" without département stays unmatched);
5. ``none``: nothing accepted; the best candidate and its score are kept for the review list.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz, process

from analysis.model import ARRANGEMENT_KIND, SERVICE_TYPE

try:  # the project's one normalisation of free text, when available
    from analysis.clean import normalise_key as _normalise_key
except ImportError:  # pragma: no cover - depends on the modules present in the tree
    _normalise_key = None

SERVICE_COLUMNS = ("id", "acronym", "name", "ministry", "type", "departement", "variants")
ARRANGEMENT_COLUMNS = ("id", "name", "kind", "variants", "lead", "description")

#: Separator of the ``variants`` cell.
VARIANT_SEPARATOR = "|"

#: Minimal lead of the best candidate over the best *other* entry for a fuzzy match to be accepted.
AMBIGUITY_MARGIN = 3.0

_ID_PATTERN = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+)*$")
_DEPARTEMENT_PATTERN = re.compile(r"^(?:\d{2}|2A|2B|97\d)$")

_REGION_TOKEN = "hdf"
#: Words a respondent may leave out of a name without changing what it designates.
_REGION_WORDS = frozenset({_REGION_TOKEN, "hauts", "france"})
# Phrases rewritten to one token before comparison, longest first (applied to normalised keys).
# Département names become their code, so that "DDTM du Nord", "DDTM Nord" and "DDTM 59" agree.
_PHRASES = (
    ("nord pas de calais picardie", "npdcp"),
    ("nord pas de calais", "npdc"),
    ("hauts de france", _REGION_TOKEN),
    ("pas de calais", "62"),
)
_DEPARTEMENT_WORDS = {"aisne": "02", "nord": "59", "oise": "60", "somme": "80"}
_DEPARTEMENT_CODES = frozenset({"02", "59", "60", "62", "80"})
#: Minimal rapidfuzz ratio between a raw word and a reference word for the word to count as present.
_WORD_CUTOFF = 80.0
_STOPWORDS = frozenset({"de", "du", "des", "la", "le", "les", "l", "d", "et", "en", "a", "au", "aux"})


class ReferenceError(ValueError):
    """A reference list cannot be used; the message (French) names the file and the problem."""


# ---------------------------------------------------------------------------------------------
# Keys
# ---------------------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    """Return the comparison key of a text: lowercase, no accents, punctuation as spaces.

    Same behaviour as ``analysis.clean.normalise_key``, used when that module is absent.

    Args:
        text: any text.

    Returns:
        The key, words separated by single spaces ("" for an empty text).
    """
    if _normalise_key is not None:
        return _normalise_key(text)
    decomposed = unicodedata.normalize("NFKD", str(text).lower())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", stripped).split())


def _loose_key(key: str) -> str:
    """Return a looser key: numbers split from letters, département names as codes, no stopwords.

    Args:
        key: a normalised key (see ``_normalise``).

    Returns:
        The loose key ("ddtm du nord" and "ddtm59" both give "ddtm 59").
    """
    text = " " + re.sub(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])", " ", key) + " "
    for phrase, token in _PHRASES:
        text = text.replace(f" {phrase} ", f" {token} ")
    words = [_DEPARTEMENT_WORDS.get(w, w) for w in text.split()]
    # The region's name tells nothing in a list of the region's services: "ARS HdF" is "ARS".
    return " ".join(w for w in words if w not in _STOPWORDS and w != _REGION_TOKEN)


def _departements_in(loose: str) -> frozenset[str]:
    """Return the département codes a loose key mentions."""
    return frozenset(w for w in loose.split() if w in _DEPARTEMENT_CODES)


def _split_variants(cell: str) -> list[str]:
    """Return the non-empty, stripped variants of a ``variants`` cell."""
    return [v.strip() for v in str(cell).split(VARIANT_SEPARATOR) if v.strip()]


# ---------------------------------------------------------------------------------------------
# Loading and validation
# ---------------------------------------------------------------------------------------------


def _read_reference(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """Read a reference CSV as text, check its columns and strip every cell.

    Args:
        path: the CSV file (UTF-8, comma-separated, header row).
        columns: the expected columns, in order.

    Returns:
        The table, every cell a stripped string, columns in the expected order.

    Raises:
        ReferenceError: missing file, unreadable encoding, missing or unexpected columns.
    """
    path = Path(path)
    if not path.is_file():
        raise ReferenceError(f"Liste de référence introuvable : {path}")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ReferenceError(f"{path.name} : le fichier n'est pas encodé en UTF-8 ({exc.reason}).") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ReferenceError(f"{path.name} : fichier CSV illisible ({exc}).") from exc
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ReferenceError(f"{path.name} : colonne(s) manquante(s) : {', '.join(missing)}.")
    extra = [c for c in df.columns if c not in columns]
    if extra:
        raise ReferenceError(f"{path.name} : colonne(s) inattendue(s) : {', '.join(extra)}.")
    return df[list(columns)].apply(lambda s: s.str.strip())


def _lines(mask: pd.Series) -> str:
    """Return the CSV line numbers (header = line 1) of the rows where ``mask`` holds."""
    return ", ".join(str(i + 2) for i in mask[mask].index)


def _check_common(df: pd.DataFrame, name: str, vocab_col: str, labels: list[str]) -> None:
    """Check what both reference lists require: ids, names, vocabulary column, distinct keys.

    Args:
        df: the table read by ``_read_reference``.
        name: the file name, for messages.
        vocab_col: the column holding a vocabulary label (``type`` or ``kind``).
        labels: the allowed labels of that column.

    Raises:
        ReferenceError: the first problem found, in French, with its CSV line numbers.
    """
    for col in ("id", "name", vocab_col):
        empty = df[col] == ""
        if empty.any():
            raise ReferenceError(f"{name} : colonne « {col} » vide (ligne(s) {_lines(empty)}).")
    bad_id = ~df["id"].str.match(_ID_PATTERN)
    if bad_id.any():
        raise ReferenceError(
            f"{name} : identifiant(s) mal formé(s) (majuscules, chiffres et tirets attendus) : "
            f"{', '.join(df.loc[bad_id, 'id'])}."
        )
    dup = df["id"].duplicated(keep=False)
    if dup.any():
        raise ReferenceError(f"{name} : identifiant(s) en double : {', '.join(sorted(set(df.loc[dup, 'id'])))}.")
    bad = ~df[vocab_col].isin(labels)
    if bad.any():
        raise ReferenceError(
            f"{name} : valeur(s) de « {vocab_col} » inconnue(s) : {', '.join(sorted(set(df.loc[bad, vocab_col])))} "
            f"(ligne(s) {_lines(bad)}) ; valeurs admises : {' ; '.join(labels)}."
        )
    owner: dict[str, str] = {}
    spelling_cols = [c for c in ("name", "acronym") if c in df.columns]
    for row in df[["id", "variants", *spelling_cols]].to_dict("records"):
        spellings = [row[c] for c in spelling_cols if row[c]] + _split_variants(row["variants"])
        for spelling in spellings:
            key = _normalise(spelling)
            other = owner.setdefault(key, row["id"])
            if other != row["id"]:
                raise ReferenceError(
                    f"{name} : l'appellation « {spelling} » désigne à la fois {other} et {row['id']}."
                )


def load_services(path: Path) -> pd.DataFrame:
    """Load and check the reference list of the region's State services.

    Args:
        path: the CSV file (columns ``SERVICE_COLUMNS``), usually
            ``paths.REFERENCE_DIR / "services-hauts-de-france.csv"``.

    Returns:
        One row per service, every cell a stripped string (empty département for regional ones).

    Raises:
        ReferenceError: missing or extra columns, empty or duplicated id, duplicated acronym, type
            outside ``SERVICE_TYPE``, malformed département code, one spelling for two services.
    """
    path = Path(path)
    df = _read_reference(path, SERVICE_COLUMNS)
    empty = df["acronym"] == ""
    if empty.any():
        raise ReferenceError(f"{path.name} : colonne « acronym » vide (ligne(s) {_lines(empty)}).")
    dup = df["acronym"].duplicated(keep=False)
    if dup.any():
        raise ReferenceError(
            f"{path.name} : sigle(s) en double : {', '.join(sorted(set(df.loc[dup, 'acronym'])))}."
        )
    bad_dep = (df["departement"] != "") & ~df["departement"].str.match(_DEPARTEMENT_PATTERN)
    if bad_dep.any():
        raise ReferenceError(
            f"{path.name} : code(s) de département invalide(s) : {', '.join(df.loc[bad_dep, 'departement'])} "
            f"(ligne(s) {_lines(bad_dep)}) ; attendu : deux chiffres (« 02 », « 59 »…) ou vide."
        )
    _check_common(df, path.name, "type", SERVICE_TYPE.labels)
    return df


def load_arrangements(path: Path) -> pd.DataFrame:
    """Load and check the reference list of the region's partnership arrangements.

    Args:
        path: the CSV file (columns ``ARRANGEMENT_COLUMNS``), usually
            ``paths.REFERENCE_DIR / "dispositifs-hauts-de-france.csv"``.

    Returns:
        One row per arrangement, every cell a stripped string.

    Raises:
        ReferenceError: missing or extra columns, empty or duplicated id, kind outside
            ``ARRANGEMENT_KIND``, one spelling for two arrangements.
    """
    path = Path(path)
    df = _read_reference(path, ARRANGEMENT_COLUMNS)
    _check_common(df, path.name, "kind", ARRANGEMENT_KIND.labels)
    return df


# ---------------------------------------------------------------------------------------------
# Resolution
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """The outcome of resolving one raw name against a reference list.

    Attributes:
        raw: the text as the respondent wrote it.
        id: the reference id, or None when nothing was accepted.
        method: "exact", "acronym", "variant", "fuzzy" or "none".
        score: 100 for exact, acronym and variant; the rapidfuzz score for fuzzy; the best score
            seen for none (0 when there was nothing to compare).
        candidate: the best candidate id, even when rejected (for the review list).
    """

    raw: str
    id: str | None
    method: str
    score: float
    candidate: str | None

    @property
    def needs_review(self) -> bool:
        """True when an analyst must look at this match: unmatched, or matched by similarity."""
        return self.method in ("none", "fuzzy")


class Resolver:
    """Resolve raw names to the ids of a reference list (services or arrangements).

    Lookup tables are built once; results are cached per normalised key, so resolving the same
    spelling thousands of times costs one dictionary lookup.
    """

    def __init__(
        self,
        reference: pd.DataFrame,
        threshold: float = 85.0,
        name_col: str = "name",
        acronym_col: str | None = "acronym",
    ) -> None:
        """Build the lookup tables.

        Args:
            reference: a table from ``load_services`` or ``load_arrangements`` (needs ``id``,
                ``name_col``, ``variants``; ``acronym_col`` and ``departement`` when present).
            threshold: minimal rapidfuzz score (0-100) for a fuzzy match to be accepted.
            name_col: the column holding the official name.
            acronym_col: the column holding the short name, or None when there is none.
        """
        self.threshold = float(threshold)
        self.reference = reference
        ids = reference["id"].tolist()
        self._exact: dict[str, str] = {}
        for id_, name in zip(ids, reference[name_col], strict=True):
            self._exact[id_] = id_
            self._exact.setdefault(name, id_)
        self._departement: dict[str, str] = (
            dict(zip(ids, reference["departement"], strict=True)) if "departement" in reference.columns else {}
        )
        self._acronym_keys: dict[str, set[str]] = {}
        self._acronym_loose: dict[str, set[str]] = {}
        self._variant_keys: dict[str, set[str]] = {}
        self._variant_loose: dict[str, set[str]] = {}
        choices: dict[str, set[str]] = {}
        self._words: dict[str, set[str]] = {}
        columns = [name_col, "variants", *([acronym_col] if acronym_col else [])]
        for id_, row in zip(ids, reference[columns].to_dict("records"), strict=True):
            acronyms = [row[acronym_col]] if acronym_col and row[acronym_col] else []
            others = [row[name_col], *_split_variants(row["variants"])]
            words = self._words.setdefault(id_, set())
            for texts, keys, loose_keys in ((acronyms, self._acronym_keys, self._acronym_loose),
                                            (others, self._variant_keys, self._variant_loose)):
                for text in texts:
                    key = _normalise(text)
                    loose = _loose_key(key)
                    words.update(key.split())
                    words.update(loose.split())
                    keys.setdefault(key, set()).add(id_)
                    loose_keys.setdefault(loose, set()).add(id_)
                    choices.setdefault(key, set()).add(id_)
        self._choice_keys = list(choices)
        self._choice_ids = [choices[k] for k in self._choice_keys]
        self._choice_loose = [_loose_key(k) for k in self._choice_keys]
        # a plain dict, not ``lru_cache`` over a bound method: that would tie the resolver to
        # itself in a reference cycle only the garbage collector could free
        self._resolved: dict[str, tuple[str | None, str, float, str | None]] = {}

    @classmethod
    def for_services(cls, path: Path, threshold: float = 85.0) -> Resolver:
        """Return a resolver over the State services list at ``path``."""
        return cls(load_services(path), threshold=threshold, name_col="name", acronym_col="acronym")

    @classmethod
    def for_arrangements(cls, path: Path, threshold: float = 85.0) -> Resolver:
        """Return a resolver over the partnership arrangements list at ``path``."""
        return cls(load_arrangements(path), threshold=threshold, name_col="name", acronym_col=None)

    def resolve(self, raw: str) -> Match:
        """Resolve one raw name.

        Args:
            raw: the name as written by the respondent (None or NaN count as empty).

        Returns:
            The match; ``id`` is None when nothing was accepted.
        """
        text = "" if raw is None or (isinstance(raw, float) and pd.isna(raw)) else str(raw)
        hit = self._exact.get(text.strip())
        if hit is not None:
            return Match(text, hit, "exact", 100.0, hit)
        key = _normalise(text)
        if key not in self._resolved:
            self._resolved[key] = self._resolve_key_uncached(key)
        id_, method, score, candidate = self._resolved[key]
        return Match(text, id_, method, score, candidate)

    # -- internals ----------------------------------------------------------------------------

    def _resolve_key_uncached(self, key: str) -> tuple[str | None, str, float, str | None]:
        """Resolve a normalised key (results kept per key by :meth:`resolve`)."""
        if not key:
            return None, "none", 0.0, None
        loose = _loose_key(key)
        for method, table, probe in (
            ("acronym", self._acronym_keys, key),
            ("acronym", self._acronym_loose, loose),
            ("variant", self._variant_keys, key),
            ("variant", self._variant_loose, loose),
        ):
            found = table.get(probe)
            if found and len(found) == 1:
                (id_,) = found
                return id_, method, 100.0, id_
        return self._fuzzy(key, loose)

    def _fuzzy(self, key: str, loose: str) -> tuple[str | None, str, float, str | None]:
        """Return the fuzzy match of a key, or "none" with the best candidate seen.

        Each entry scores the best token-sort similarity of any of its spellings, compared both
        as normalised keys and as loose keys. Entries of another département than the one the
        raw text names are left out. The best entry is accepted when it reaches the threshold,
        leads the next entry by ``AMBIGUITY_MARGIN``, and its closest spelling and the raw text
        share all their significant words up to typos: "Préfecture de Lille" does not become the
        préfecture of Beauvais, nor "DIR Ouest" the DIR Nord-Ouest.
        """
        mentioned = _departements_in(loose)
        best: dict[str, tuple[float, int]] = {}
        for query, choices in ((key, self._choice_keys), (loose, self._choice_loose)):
            if not query:
                continue
            for _, score, index in process.extract(
                query, choices, scorer=fuzz.token_sort_ratio, limit=None, score_cutoff=40
            ):
                for id_ in self._choice_ids[index]:
                    dep = self._departement.get(id_, "")
                    if mentioned and dep and dep not in mentioned:
                        continue  # the respondent named another département
                    if score > best.get(id_, (-1.0, -1))[0]:
                        best[id_] = (score, index)
        if not best:
            return None, "none", 0.0, None
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))
        top_id, (top, index) = ranked[0]
        runner_up = ranked[1][1][0] if len(ranked) > 1 else 0.0
        raw_words = set(key.split()) | set(loose.split())
        if (
            top >= self.threshold
            and top - runner_up >= AMBIGUITY_MARGIN
            and _covered(raw_words, self._words[top_id])
            and _covered(set(self._choice_keys[index].split()) - _REGION_WORDS, raw_words)
        ):
            return top_id, "fuzzy", round(top, 1), top_id
        return None, "none", round(top, 1), top_id


def _covered(words: set[str], vocabulary: set[str]) -> bool:
    """True when every significant word of ``words`` is close to a word of ``vocabulary``.

    Args:
        words: the words to look for (stopwords are ignored).
        vocabulary: the words they may match, exactly or with a typo (``_WORD_CUTOFF``).

    Returns:
        Whether all significant words were found.
    """
    for word in words:
        if word in _STOPWORDS or word in vocabulary:
            continue
        if process.extractOne(word, vocabulary, scorer=fuzz.ratio, score_cutoff=_WORD_CUTOFF) is None:
            return False
    return True
