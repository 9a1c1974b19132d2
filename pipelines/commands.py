"""The README's command table, generated from the ``jpcorpus`` parser so the two agree.

The table sits in README.md between ``<!-- commands:start -->`` and
``<!-- commands:end -->``; ``tests/pipelines/test_cli_help.py`` fails when it differs
from :func:`command_table`. After changing a command or an option, rewrite it with::

    python -m pipelines.commands README.md
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from pathlib import Path

START = "<!-- commands:start -->"
END = "<!-- commands:end -->"


def _subcommands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction | None:
    return next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)


def leaf_commands(
    parser: argparse.ArgumentParser, prefix: str = "jpcorpus"
) -> Iterator[tuple[str, str, argparse.ArgumentParser]]:
    """``(name, one-line help, parser)`` of every command that does something, in order."""
    sub = _subcommands(parser)
    if sub is None:
        return
    helps = {a.dest: a.help or "" for a in sub._choices_actions}
    for name, child in sub.choices.items():
        full = f"{prefix} {name}"
        if _subcommands(child) is None:
            yield full, helps.get(name, ""), child
        else:
            yield from leaf_commands(child, full)


def user_actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    """The arguments and options a user writes (``--help`` and sub-command slots left out)."""
    return [
        a
        for a in parser._actions
        if not isinstance(a, argparse._HelpAction | argparse._SubParsersAction)
    ]


def example_of(parser: argparse.ArgumentParser) -> str:
    """The example line in a command's epilog (``example:`` then the command)."""
    lines = (parser.epilog or "").splitlines()
    return lines[1].strip() if len(lines) > 1 else ""


def _synopsis(name: str, parser: argparse.ArgumentParser) -> str:
    parts = [name]
    for a in user_actions(parser):
        if a.option_strings:
            continue
        metavar = (a.metavar or a.dest).upper()
        if a.nargs == "?":
            parts.append(f"[{metavar}]")
        elif a.nargs in ("+", "*"):
            parts.append(f"{metavar}…")
        else:
            parts.append(metavar)
    return " ".join(parts)


def _long(action: argparse.Action) -> str:
    return next((o for o in action.option_strings if o.startswith("--")), action.option_strings[0])


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def command_table(parser: argparse.ArgumentParser) -> str:
    """A Markdown table: command, what it does, its options, an example."""
    rows = ["| command | what it does | options | example |", "|---|---|---|---|"]
    for name, help_text, child in leaf_commands(parser):
        options = ", ".join(f"`{_long(a)}`" for a in user_actions(child) if a.option_strings)
        rows.append(
            f"| `{_synopsis(name, child)}` | {_cell(help_text)} | {options} "
            f"| `{_cell(example_of(child))}` |"
        )
    top = [a for a in user_actions(parser) if a.option_strings]
    for a in top:
        rows.append(f"| `jpcorpus {_long(a)}` | {_cell(a.help or '')} | | `jpcorpus {_long(a)}` |")
    return "\n".join(rows)


def readme_block(text: str) -> str | None:
    """The command table currently in a README's text (between the markers)."""
    match = re.search(re.escape(START) + r"\n(.*?)" + re.escape(END), text, re.S)
    return match.group(1).rstrip("\n") if match else None


def rewrite_readme(path: Path, parser: argparse.ArgumentParser) -> None:
    """Replace the table between the markers in ``path`` with the generated one."""
    text = path.read_text("utf-8")
    if readme_block(text) is None:
        raise SystemExit(f"{path}: no {START} … {END} block")
    new = re.sub(
        re.escape(START) + r"\n.*?" + re.escape(END),
        lambda _: f"{START}\n{command_table(parser)}\n{END}",
        text,
        flags=re.S,
    )
    path.write_text(new, "utf-8")


if __name__ == "__main__":
    from pipelines.cli import build_parser

    rewrite_readme(Path(sys.argv[1] if len(sys.argv) > 1 else "README.md"), build_parser())
