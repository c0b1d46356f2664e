"""The command line's parser in the language it is built in: argparse's own words (the
"usage:" line, the headings, the help of ``-h`` and ``--version``) and its usage errors, from
core.i18n's catalogue like every other message the commands print.

argparse (Python 3.11 to 3.14) looks its words up with ``gettext.gettext``, in the default
text domain of the whole process, and builds each usage error before handing it to
:meth:`ArgumentParser.error`. A translation installed there would answer for every library
of the process; this parser translates for itself instead: its words are given to argparse
already translated (the headings, the help of ``-h``/``--version``, the usage prefix), and
the sentence :meth:`LocalizedParser.error` receives is recognised among argparse's own and
said again in the parser's language, its values (options, names) kept. In English nothing
changes: argparse's own output, byte for byte.
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
from collections.abc import Iterable
from typing import Any, NoReturn

from core.i18n import N_, Msg, tr

#: argparse's own words, given to it translated (its defaults are these English ones)
_POSITIONALS = N_("positional arguments")
_OPTIONS = N_("options")
_SUBCOMMANDS = N_("subcommands")
_HELP = N_("show this help message and exit")
_VERSION = N_("show program's version number and exit")
_USAGE = N_("usage: ")
_HEADING = N_("{heading}:")
_ERROR = N_("{prog}: error: {message}")
_QUOTED = N_('"{value}"')

_TITLES = {str(_POSITIONALS), str(_OPTIONS), str(_SUBCOMMANDS)}
_DEFAULT_HELP = {"help": _HELP, "version": _VERSION}

#: The usage errors argparse builds (Python 3.11 to 3.14; its ``ArgumentError`` reads
#: "argument NAME: message"), each with the catalogue's sentence saying it again. A group
#: named ``value`` or ``closest`` holds a Python repr (quoted again in the language), one
#: named ``choices`` a list of them, ``message`` a sentence recognised in its turn.
_ERRORS: tuple[tuple[re.Pattern[str], Msg], ...] = tuple(
    (re.compile(pattern + r"\Z", re.S), msg)
    for pattern, msg in (
        (r"unrecognized arguments: (?P<args>.*)", N_("unrecognized arguments: {args}")),
        (
            r"the following arguments are required: (?P<args>.*)",
            N_("the following arguments are required: {args}"),
        ),
        (
            r"one of the arguments (?P<args>.*) is required",
            N_("one of the arguments {args} is required"),
        ),
        (
            r"ambiguous option: (?P<option>.*?) could match (?P<matches>.*)",
            N_("ambiguous option: {option} could match {matches}"),
        ),
        (r"unexpected option string: (?P<option>.*)", N_("unexpected option string: {option}")),
        (r"not allowed with argument (?P<argument>.*)", N_("not allowed with argument {argument}")),
        (r"ignored explicit argument (?P<value>.*)", N_("ignored explicit argument {value}")),
        (r"expected one argument", N_("expected one argument")),
        (r"expected at most one argument", N_("expected at most one argument")),
        (r"expected at least one argument", N_("expected at least one argument")),
        (r"expected (?P<count>\d+) arguments?", N_("expected {count} argument(s)")),
        (
            r"invalid choice: (?P<value>.*?), maybe you meant (?P<closest>.*?)\? "
            r"\(choose from (?P<choices>.*)\)",
            N_("invalid choice: {value}, maybe you meant {closest}? (choose from {choices})"),
        ),
        (
            r"invalid choice: (?P<value>.*?) \(choose from (?P<choices>.*)\)",
            N_("invalid choice: {value} (choose from {choices})"),
        ),
        (
            r"unknown parser (?P<value>.*?) \(choices: (?P<choices>.*)\)",
            N_("unknown parser {value} (choices: {choices})"),
        ),
        (r"invalid int value: (?P<value>.*)", N_("invalid int value: {value}")),
        (r"invalid float value: (?P<value>.*)", N_("invalid float value: {value}")),
        (r"invalid (?P<type>\S+) value: (?P<value>.*)", N_("invalid {type} value: {value}")),
        (
            r"can't open '(?P<filename>.*)': (?P<error>.*)",
            N_("can't open '{filename}': {error}"),
        ),
        (r"argument (?P<argument>.+?): (?P<message>.*)", N_("argument {argument}: {message}")),
    )
)


def _literal(text: str) -> str:
    """``'abc'`` (a repr, as argparse quotes a value) as ``abc``; anything else as it is."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        import ast  # (a usage mistake only)

        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return text
        if isinstance(value, str):
            return value
    return text


def _choices(text: str) -> str:
    """argparse's list of choices, quoted (3.11) or not (3.12 on), as plain names."""
    return ", ".join(_literal(part) for part in text.split(", "))


def translate_error(message: str, language: str) -> str:
    """An English usage error argparse built, said in ``language`` (as it is when it is not
    one of argparse's own sentences: a type's own message)."""
    if language == "en":
        return message
    for pattern, msg in _ERRORS:
        match = pattern.match(message)
        if match is None:
            continue
        params: dict[str, object] = {}
        for name, value in match.groupdict().items():
            if name in ("value", "closest"):
                params[name] = tr(_QUOTED, language, value=_literal(value))
            elif name == "choices":
                params[name] = _choices(value)
            elif name == "message":
                params[name] = translate_error(value, language)
            else:
                params[name] = value
        return tr(msg, language, **params)
    return message


class LocalizedFormatter(argparse.HelpFormatter):
    """argparse's help and usage with its words in ``language``."""

    def __init__(self, prog: str, *, language: str = "en", **kwargs: Any) -> None:
        super().__init__(prog, **kwargs)
        self.language = language

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[Any],
        prefix: str | None = None,
    ) -> None:
        if prefix is None and self.language != "en":
            prefix = tr(_USAGE, self.language)
        super().add_usage(usage, actions, groups, prefix)

    def start_section(self, heading: str | None) -> None:
        if heading and self.language != "en":
            # argparse writes "heading:" itself: whatever the language puts before the colon
            # (French: a non-breaking space) goes at the end of the heading
            said = tr(_HEADING, self.language, heading=heading)
            heading = said[:-1] if said.endswith(":") else said
        super().start_section(heading)


class LocalizedParser(argparse.ArgumentParser):
    """An ArgumentParser speaking ``language`` (core.i18n's): its help, its usage errors
    (still exit code 2), its subcommands' parsers too. Its own help texts are the caller's,
    given already translated."""

    def __init__(self, *args: Any, language: str = "en", **kwargs: Any) -> None:
        self.language = language  # (read by the overrides below, during argparse's __init__)
        kwargs.setdefault(
            "formatter_class", functools.partial(LocalizedFormatter, language=language)
        )
        super().__init__(*args, **kwargs)

    def add_argument_group(self, *args: Any, **kwargs: Any) -> Any:
        """argparse's own headings (positional arguments, options) in the language."""
        if args and isinstance(args[0], str) and args[0] in _TITLES:
            args = (tr(args[0], self.language), *args[1:])
        elif kwargs.get("title") in _TITLES:
            kwargs["title"] = tr(kwargs["title"], self.language)
        return super().add_argument_group(*args, **kwargs)

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        """``-h``'s and ``--version``'s help in the language, unless the caller gave one."""
        default = _DEFAULT_HELP.get(str(kwargs.get("action")))
        if default is not None and kwargs.get("help") in (None, str(default)):
            kwargs["help"] = tr(default, self.language)
        return super().add_argument(*args, **kwargs)

    def add_subparsers(self, **kwargs: Any) -> Any:
        """The commands' parsers speak the same language."""
        kwargs.setdefault("parser_class", functools.partial(type(self), language=self.language))
        return super().add_subparsers(**kwargs)

    def error(self, message: str) -> NoReturn:
        """The usage, then the mistake in the language, on standard error; exit code 2."""
        if self.language == "en":
            super().error(message)
        self.print_usage(sys.stderr)
        said = tr(
            _ERROR, self.language, prog=self.prog, message=translate_error(message, self.language)
        )
        self.exit(2, said + "\n")
