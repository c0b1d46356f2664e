"""English/French strings for the HTML pages the simulators serve (consent, error pages).

Deliberately tiny: the simulators are not the product UI (that goes through Qt's ``tr()``),
they only have to look like the real services' pages in the two languages we ship.
"""

from __future__ import annotations

from werkzeug.wrappers import Request

LANGS: tuple[str, ...] = ("en", "fr")
DEFAULT_LANG = "en"

STRINGS: dict[str, dict[str, str]] = {
    "consent.title": {
        "en": "Connect {app} to Xero",
        "fr": "Connecter {app} à Xero",
    },
    "consent.intro": {
        "en": "{app} wants to access your Xero data.",
        "fr": "{app} souhaite accéder à vos données Xero.",
    },
    "consent.orgs": {
        "en": "Choose the organisations to connect",
        "fr": "Choisissez les organisations à connecter",
    },
    "consent.connected": {
        "en": "already connected",
        "fr": "déjà connectée",
    },
    "consent.scopes": {
        "en": "This app will be able to:",
        "fr": "Cette application pourra :",
    },
    "consent.allow": {"en": "Allow access", "fr": "Autoriser l’accès"},
    "consent.deny": {"en": "Deny", "fr": "Refuser"},
    "consent.no_org": {
        "en": "Select at least one organisation, or choose Deny.",
        "fr": "Sélectionnez au moins une organisation, ou choisissez Refuser.",
    },
    "consent.no_orgs_available": {
        "en": "You have no organisation to connect.",
        "fr": "Vous n’avez aucune organisation à connecter.",
    },
    "error.title": {"en": "Sorry, something went wrong", "fr": "Désolé, une erreur s’est produite"},
    "error.hint": {
        "en": "Close this window and try connecting again from the app.",
        "fr": "Fermez cette fenêtre et réessayez la connexion depuis l’application.",
    },
    # Scopes, in plain words.
    "scope.openid": {"en": "Confirm your identity", "fr": "Confirmer votre identité"},
    "scope.profile": {
        "en": "See your name and Xero user id",
        "fr": "Voir votre nom et votre identifiant d’utilisateur Xero",
    },
    "scope.email": {"en": "See your email address", "fr": "Voir votre adresse courriel"},
    "scope.offline_access": {
        "en": "Keep access when you are not using the app (for up to 60 days without use)",
        "fr": "Garder l’accès quand vous n’utilisez pas l’application (jusqu’à 60 jours sans utilisation)",
    },
    "scope.read": {"en": "View your {what}", "fr": "Consulter vos {what}"},
    "scope.write": {"en": "View and change your {what}", "fr": "Consulter et modifier vos {what}"},
    # Resource names used by the two templates above.
    "res.accounting.contacts": {"en": "contacts", "fr": "contacts"},
    "res.accounting.settings": {
        "en": "organisation settings (accounts, items, tracking categories, tax rates, users)",
        "fr": "paramètres de l’organisation (comptes, articles, catégories de suivi, taxes, utilisateurs)",
    },
    "res.accounting.transactions": {
        "en": "business transactions (invoices, bills, payments…)",
        "fr": "transactions (factures, achats, paiements…)",
    },
    "res.accounting.invoices": {
        "en": "invoices, quotes, purchase orders and items",
        "fr": "factures, devis, bons de commande et articles",
    },
    "res.accounting.payments": {"en": "payments", "fr": "paiements"},
    "res.accounting.banktransactions": {"en": "bank transactions", "fr": "transactions bancaires"},
    "res.accounting.manualjournals": {"en": "manual journals", "fr": "écritures manuelles"},
    "res.accounting.classicexpenses": {"en": "expense claims", "fr": "notes de frais"},
    "res.accounting.attachments": {"en": "attachments", "fr": "pièces jointes"},
    "res.accounting.journals": {"en": "general ledger journals", "fr": "journaux du grand livre"},
    "res.accounting.reports": {"en": "reports", "fr": "rapports"},
    "res.accounting.budgets": {"en": "budgets", "fr": "budgets"},
    "res.payroll.employees": {"en": "payroll employees", "fr": "employés (paie)"},
    "res.payroll.payruns": {"en": "pay runs", "fr": "cycles de paie"},
    "res.payroll.payslip": {"en": "payslips", "fr": "bulletins de paie"},
    "res.payroll.settings": {
        "en": "payroll settings (pay items, leave types, calendars)",
        "fr": "paramètres de paie (éléments de paie, types de congés, calendriers)",
    },
    "res.payroll.timesheets": {"en": "timesheets", "fr": "feuilles de temps"},
    "res.paymentservices": {"en": "payment services", "fr": "services de paiement"},
    "res.projects": {"en": "projects", "fr": "projets"},
    "res.files": {"en": "files", "fr": "fichiers"},
    "res.assets": {"en": "fixed assets", "fr": "immobilisations"},
}


def normalise_lang(value: str | None) -> str | None:
    """``fr-CA`` -> ``fr``; None when the primary tag is not one we ship."""
    if not value:
        return None
    primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in LANGS else None


def pick_lang(request: Request) -> str:
    """``?lang=`` first, then the browser's Accept-Language (by quality), else English."""
    forced = normalise_lang(request.args.get("lang"))
    if forced:
        return forced
    # werkzeug keeps Accept-Language values sorted by quality, best first.
    for value, quality in request.accept_languages:
        if quality <= 0:
            continue
        lang = normalise_lang(value)
        if lang:
            return lang
    return DEFAULT_LANG


def tr(key: str, lang: str, **fmt: str) -> str:
    """The string for ``key`` in ``lang`` (English when missing), formatted with ``fmt``."""
    entry = STRINGS[key]
    text = entry.get(lang) or entry[DEFAULT_LANG]
    return text.format(**fmt) if fmt else text
