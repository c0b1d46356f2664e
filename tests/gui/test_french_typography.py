"""French read by someone who writes it: every French string of the wizard's catalog
(resources/i18n/wizard_fr.ts) and of core's (resources/i18n/core.fr.json) follows French
typography and the product's words.

- a non-breaking space (U+00A0, or the narrow U+202F) before : ; ? ! and inside « »;
- no capital after a colon (names of products and places excepted);
- the typographic apostrophe (’), never the straight one ('), the same in every string;
- "Défaire" for Undo, "Annuler" for Cancel only;
- nothing sent to a service is "écrit" (it is envoyé, enregistré, modifié, créé…);
- one word for each kind of record, the words of QuickBooks Time's French Canadian help
  (Congés, Lieux de travail, attribués, Projets, Champs personnalisés), and Xero's items
  are "Articles", never "articles en stock": only items NOT tracked as inventory import.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "i18n" / "wizard_fr.ts"
CORE = ROOT / "resources" / "i18n" / "core.fr.json"
NBSP = "\u00a0\u202f"

# Words that keep their capital after a colon: names (products, places, the Demo Company's
# people and businesses), placeholders and acronyms are handled apart.
PROPER = re.compile(
    r"(Xero|QuickBooks|Intuit|Windows|macOS|Linux|GNOME|KWallet|Keychain|Google|Microsoft|"
    r"Apple|Demo Company|Australie|Royaume-Uni|Canada|Nouvelle-Zélande|États-Unis|Irlande|"
    r"Gestionnaire d.identification|Trousseau|Secret Service|Paramètres|Suivant|Précédent|"
    r"Terminer|Annuler|Défaire|Importer|Aperçu|Relier|Lier|Créer|Ignorer|Renommer|Réessayer|"
    r"Fermer|Continuer|OK|Oui|Non)\b"
)


def _ts_strings() -> list[tuple[str, str, str]]:
    found = []
    for context in ET.parse(TS).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            source = message.findtext("source") or ""
            translation = message.find("translation")
            if translation is None or translation.get("type") in ("unfinished", "vanished"):
                continue
            forms = [f.text or "" for f in translation.iter("numerusform")]
            for text in forms or [translation.text or ""]:
                if text.strip():
                    found.append((f"wizard_fr.ts {name}", source, text))
    return found


def _core_strings() -> list[tuple[str, str, str]]:
    catalog = json.loads(CORE.read_text(encoding="utf-8"))
    return [("core.fr.json", source, text) for source, text in catalog.items() if text.strip()]


STRINGS = _ts_strings() + _core_strings()


def _report(problems: list[str]) -> str:
    return f"{len(problems)} French strings to fix:\n" + "\n".join(problems)


def _plain(text: str) -> str:
    """The text without placeholders, HTML tags, entities and URLs (their colons are not
    punctuation)."""
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"&[a-z]+;|&#\d+;", " ", text)
    text = re.sub(r"\b[a-z][a-z0-9+.-]*://\S+", " ", text)
    return text


def space_before_punctuation(text: str) -> list[str]:
    """: ; ? ! used as punctuation (followed by a space, a closing mark or the end) need a
    non-breaking space before them; an ordinary space there is always wrong."""
    plain = _plain(text)
    problems = []
    for match in re.finditer(r"(.)([:;?!])(?=$|[\s»)\]<.,…]|[?!])", plain, re.S):
        before, mark = match.groups()
        if before in NBSP or (before in "?!" and mark in "?!"):
            continue
        if plain[match.end(2) - 2 : match.end(2)] in ("?!", "!?"):
            continue
        kind = "an ordinary space" if before == " " else f"no space (after {before!r})"
        problems.append(f"{kind} before {mark!r}")
    for match in re.finditer(r" ([:;?!])", plain):
        problems.append(f"an ordinary space before {match.group(1)!r}")
    return sorted(set(problems))


def guillemets(text: str) -> list[str]:
    problems = []
    if re.search(r"«(?![\u00a0\u202f])", text):
        problems.append("« without a non-breaking space after it")
    if re.search(r"(?<![\u00a0\u202f])»", text):
        problems.append("» without a non-breaking space before it")
    if re.search(r'"', _plain(text)) and not re.search(r"<|=\"", text):
        problems.append('English quotes " (use « »)')
    return problems


def capital_after_colon(text: str) -> list[str]:
    plain = _plain(text)
    problems = []
    for match in re.finditer(r"[:][\u00a0\u202f ]+(\S+)", plain):
        word = match.group(1)
        rest = plain[match.start(1) :]
        if not word[:1].isupper() or PROPER.match(rest):
            continue
        if word.isupper() or re.match(r"[A-Z]{2,}|[A-Z]\d|\{", word):
            continue  # acronyms (PDF, API, CSV), codes
        problems.append(f"a capital after a colon: {word!r}")
    return problems


def typographic_apostrophe(text: str) -> list[str]:
    if "'" in _plain(text):
        return ["a straight apostrophe ' (use ’)"]
    return []


def undo_is_defaire(source: str, text: str) -> list[str]:
    if re.search(r"\bund(o|one|oing)\b", source, re.I) and not re.search(r"\bcancel", source, re.I):
        if re.search(r"\bannul", text, re.I):
            return ["Undo translated as annuler (Undo is Défaire; Annuler is Cancel)"]
    return []


def nothing_written(text: str) -> list[str]:
    if re.search(r"\bécri(?:t|ts|te|tes|re|vons|vez|vent|vait|ture|tures)\b", text, re.I):
        return ["écrit / écrire: say what happens (envoyé, modifié, créé, enregistré)"]
    return []


TERMS = [
    # (English in the source, the French it must use, what it must not use)
    (r"\blocations?\b", r"[Ll]ieux? de travail", r"\b[Ee]mplacements?\b|\b[Ll]ocalisations?\b"),
    (
        r"\btime[ -]off\b|\bleave types?\b|\b(unpaid|paid|annual|sick) leave\b",
        r"[Cc]ongés?",
        r"\b[Aa]bsences?\b",
    ),
    (r"^time off$", r"^Congés$", None),
    (r"\bassign(ed|ment|ments)\b", r"[Aa]ttribu", r"\b[Aa]ssign"),
    (r"\bprojects?\b", r"[Pp]rojets?", None),
    (r"\bcustom fields?\b", r"[Cc]hamps? personnalisés?", None),
    (r"^\W*items?\W*$|(?<!{)\bitems?\b(?! of)", r"[Aa]&?rticles?\b", r"[Aa]rticles? en stock"),
]


def consistent_terms(source: str, text: str) -> list[str]:
    problems = []
    for english, french, wrong in TERMS:
        if not re.search(english, source, re.I):
            continue
        if not re.search(french, text):
            problems.append(f"{english!r} is {french!r} in French")
        elif wrong and re.search(wrong, text):
            problems.append(f"{wrong!r}: say {french!r}")
    return problems


CHECKS = {
    "space before : ; ? !": lambda source, text: space_before_punctuation(text),
    "« »": lambda source, text: guillemets(text),
    "capital after a colon": lambda source, text: capital_after_colon(text),
    "apostrophe ’": lambda source, text: typographic_apostrophe(text),
    "Défaire for Undo": undo_is_defaire,
    "no écrit": lambda source, text: nothing_written(text),
    "consistent terms": consistent_terms,
}


@pytest.mark.parametrize("rule", list(CHECKS))
def test_every_french_string_follows_the_rule(rule: str) -> None:
    assert len(STRINGS) > 500
    check = CHECKS[rule]
    problems = [
        f"{where}: {source!r}\n    -> {text!r}: {'; '.join(found)}"
        for where, source, text in STRINGS
        if (found := check(source, text))
    ]
    assert not problems, _report(problems)


@pytest.mark.parametrize(
    ("rule", "source", "text"),
    [
        ("space before : ; ? !", "Name:", "Nom :"),
        ("space before : ; ? !", "Ready?", "Prêt ?"),
        ("space before : ; ? !", "Ready?", "Prêt?"),
        ("space before : ; ? !", "a; b", "a ; b"),
        ("« »", '"{name}"', "«{name}»"),
        ("« »", '"{name}"', "« {name} »"),
        ("capital after a colon", "Status: Linked", "Statut\u00a0: Lié"),
        ("apostrophe ’", "Nothing has changed.", "Rien n'a changé."),
        ("Défaire for Undo", "Undo this import", "Annuler cet import"),
        ("Défaire for Undo", "It was undone.", "Il a été annulé."),
        ("no écrit", "Nothing is written to QuickBooks Time yet.", "Rien n'est encore écrit."),
        ("consistent terms", "Locations", "Emplacements"),
        ("consistent terms", "Time off", "Absences"),
        ("consistent terms", "Items", "Articles en stock"),
        ("consistent terms", "Import items from Xero", "Importer les produits de Xero"),
        ("consistent terms", "Assigned to all", "Assigné à tous"),
    ],
)
def test_each_rule_catches_its_mistake(rule: str, source: str, text: str) -> None:
    assert CHECKS[rule](source, text)


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("Name:", "Nom\u00a0:"),
        ("Ready?", "Prêt\u202f?"),
        ('"{name}"', "«\u00a0{name}\u00a0»"),
        ("Status: Linked", "Statut\u00a0: lié"),
        ("Where: Xero", "Où\u00a0: Xero"),
        ("Undo", "Défaire"),
        ("Cancel", "Annuler"),
        (
            "Nothing is written to QuickBooks Time yet.",
            "Rien n’est encore modifié dans QuickBooks Time.",
        ),
        ("Open https://example.com at 10:30", "Ouvrez https://example.com à 10:30"),
        ("Locations", "Lieux de travail"),
    ],
)
def test_good_french_passes_every_rule(source: str, text: str) -> None:
    assert not [found for check in CHECKS.values() if (found := check(source, text))]
