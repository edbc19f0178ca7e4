"""French texts for the command line's built-in messages (click's help and errors).

Click marks its own texts for translation with ``gettext``; no French catalogue ships with it, so
this module routes them through a small dictionary. Unknown texts are left as they are.
"""

from __future__ import annotations

import importlib

FRENCH: dict[str, str] = {
    "Usage:": "Utilisation :",
    "Options": "Options",
    "Commands": "Commandes",
    "Arguments": "Arguments",
    "Show this message and exit.": "Affiche cette aide et quitte.",
    "[default: {default}]": "[défaut : {default}]",
    "default: {default}": "défaut : {default}",
    "default": "défaut",
    "required": "obligatoire",
    "Error": "Erreur",
    "Try {command!r} for help.": "Essayez {command!r} pour afficher l'aide.",
    "Try '{command} {option}' for help.": "Essayez « {command} {option} » pour afficher l'aide.",
    "No such option: {name}": "Option inconnue : {name}",
    "No such command {name!r}.": "Commande inconnue : {name!r}.",
    "Missing option": "Option manquante",
    "Missing argument": "Argument manquant",
    "Missing parameter": "Paramètre manquant",
    "Got unexpected extra argument ({args})": "Argument inattendu : {args}",
    "Option {name!r} requires an argument.": "L'option {name!r} attend une valeur.",
    "Invalid value for {param_hint}": "Valeur invalide pour {param_hint}",
    "Invalid value": "Valeur invalide",
    "{value!r} is not a valid {number_type}.": "{value!r} n'est pas un {number_type} valide.",
    "integer": "entier",
    "float": "nombre décimal",
    "boolean": "booléen",
    "Did you mean {possibility}?": "Vouliez-vous dire {possibility} ?",
    "(Possible options: {possibilities})": "(options possibles : {possibilities})",
}


def _translate(message: str) -> str:
    return FRENCH.get(message, message)


def _ntranslate(singular: str, plural: str, n: int) -> str:
    return _translate(singular if n == 1 else plural)


#: Error texts typer's copy of click (and pydantic, which typer uses to convert values) write
#: without gettext: (pattern, French replacement), tried in order on the whole message.
LITERAL_ERRORS: list[tuple[str, str]] = [
    (r"Got unexpected extra argument\(s\) \((?P<args>.*)\)", "argument(s) inattendu(s) : {args}"),
    (r"Invalid value for (?P<hint>.+?): (?P<msg>.*)", "valeur invalide pour {hint} : {msg}"),
    (r"Invalid value: (?P<msg>.*)", "valeur invalide : {msg}"),
    (r"Missing parameter: (?P<name>.*)", "paramètre manquant : {name}"),
    (r"No such option: (?P<name>\S+)(?: \(Possible options: (?P<options>.*)\))?",
     "option inconnue : {name}{options}"),
    (r"Option (?P<name>'[^']*') does not take a value\.", "l'option {name} ne prend pas de valeur."),
    (r"Option (?P<name>'[^']*') requires an argument\.", "l'option {name} attend une valeur."),
    (r"Option (?P<name>'[^']*') requires (?P<n>\d+) arguments\.", "l'option {name} attend {n} valeurs."),
    (r"Could not open file (?P<name>.*?): (?P<msg>.*)", "impossible d'ouvrir le fichier {name} : {msg}"),
]
#: Value conversion errors (pydantic), inside the messages above.
CONVERSION_ERRORS: list[tuple[str, str]] = [
    (r"Input should be a valid integer.*", "un nombre entier est attendu"),
    (r"Input should be a valid number.*", "un nombre est attendu"),
    (r"Input should be a valid boolean.*", "oui ou non (true / false) est attendu"),
    (r"Input should be (?P<choices>.*)", "valeurs possibles : {choices}"),
]


def french_error(message: str) -> str:
    """The French text of a command-line error message (unknown texts are left as they are).

    Args:
        message: the message click formatted (``exc.format_message()``).

    Returns:
        The message in French, without its capital initial (it follows « Erreur : »).
    """
    import re

    def convert(text: str) -> str:
        for pattern, french in CONVERSION_ERRORS:
            m = re.fullmatch(pattern, text.strip(), flags=re.DOTALL)
            if m:
                parts = {k: v.replace("' or '", "' ou '") for k, v in m.groupdict().items()}
                return french.format(**parts)
        return text

    for pattern, french in LITERAL_ERRORS:
        m = re.fullmatch(pattern, message.strip(), flags=re.DOTALL)
        if m:
            parts = {k: v or "" for k, v in m.groupdict().items()}
            if "msg" in parts:
                parts["msg"] = convert(parts["msg"])
            if parts.get("options"):
                parts["options"] = f" (options possibles : {parts['options']})"
            return french.format(**parts)
    return message


def _french_show(self, file=None) -> None:
    """``ClickException.show`` and ``UsageError.show`` in French: usage, hint, then the error."""
    from typer._click.exceptions import echo, get_text_stderr

    file = file or get_text_stderr()
    ctx = getattr(self, "ctx", None)
    color = getattr(self, "show_color", None)
    if ctx is not None:
        color = ctx.color
        hint = ""
        if ctx.command.get_help_option(ctx) is not None:
            hint = f"Essayez « {ctx.command_path} {ctx.help_option_names[0]} » pour afficher l'aide.\n"
        echo(f"{ctx.get_usage()}\n{hint}", file=file, color=color)
    echo(f"Erreur : {french_error(self.format_message())}", file=file, color=color)


HELP_TEXT = "Affiche cette aide et quitte."
USAGE_PREFIX = "Utilisation : "


def _patch_vendored_click() -> None:
    """Typer's copy of click writes some texts literally: the usage prefix and the help option."""
    from typer._click import core, formatting

    if getattr(formatting.HelpFormatter.write_usage, "_french", False):
        return
    write_usage = formatting.HelpFormatter.write_usage

    def french_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(self, prog, args, USAGE_PREFIX if prefix is None else prefix)

    french_usage._french = True  # type: ignore[attr-defined]
    formatting.HelpFormatter.write_usage = french_usage
    get_help_option = core.Command.get_help_option

    def french_help_option(self, ctx):
        option = get_help_option(self, ctx)
        if option is not None:
            option.help = HELP_TEXT
        return option

    core.Command.get_help_option = french_help_option
    from typer._click import exceptions

    exceptions.ClickException.show = _french_show
    exceptions.UsageError.show = _french_show


def install() -> None:
    """Route the command line's built-in messages through :data:`FRENCH` (call before the app runs).

    Typer ships its own copy of click (``typer._click``): both are patched, as is ``typer.core``.
    """
    import gettext
    import pkgutil
    import sys

    import typer  # noqa: F401 - loads typer's modules
    import typer._click as vendored

    names = ["typer.core", "typer.rich_utils", "typer.main"]
    names += [f"typer._click.{m.name}" for m in pkgutil.iter_modules(vendored.__path__) if not m.name.startswith("_")]
    names += [n for n in list(sys.modules) if n == "click" or n.startswith("click.")]
    for name in names:
        try:
            module = importlib.import_module(name)
        except Exception:  # noqa: BLE001 - an optional or platform-specific module: nothing to patch
            continue
        if getattr(module, "_", None) is gettext.gettext:
            module._ = _translate  # type: ignore[attr-defined]
        if getattr(module, "ngettext", None) is gettext.ngettext:
            module.ngettext = _ntranslate  # type: ignore[attr-defined]
    _patch_vendored_click()
