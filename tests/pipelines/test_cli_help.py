"""Every command and option of ``jpcorpus`` explains itself, and the README's table agrees."""

from __future__ import annotations

import argparse
import shlex

import pytest

from pipelines.cli import EXAMPLE, build_parser, main
from pipelines.commands import command_table, leaf_commands, readme_block, user_actions
from tests.conftest import REPO

PARSER = build_parser()
COMMANDS = list(leaf_commands(PARSER))


def _all_parsers(parser: argparse.ArgumentParser):
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                yield from _all_parsers(child)


def test_the_parser_has_the_commands_of_design():
    names = {name for name, _, _ in COMMANDS}
    assert {"jpcorpus run", "jpcorpus audit", "jpcorpus validate", "jpcorpus report"} <= names
    assert {"jpcorpus tokenizer train", "jpcorpus tokenizer eval"} <= names


@pytest.mark.parametrize("parser", list(_all_parsers(PARSER)), ids=lambda p: p.prog)
def test_every_command_has_a_description_and_an_example(parser):
    assert parser.description, f"{parser.prog}: no description"
    assert (parser.epilog or "").startswith(EXAMPLE), f"{parser.prog}: no example line"
    example = parser.epilog.splitlines()[1].strip()
    assert example.startswith("jpcorpus "), f"{parser.prog}: example is not a command"


@pytest.mark.parametrize("parser", list(_all_parsers(PARSER)), ids=lambda p: p.prog)
def test_every_argument_and_option_has_help(parser):
    missing = [a.option_strings or a.dest for a in user_actions(parser) if not a.help]
    assert not missing, f"{parser.prog}: no help for {missing}"


@pytest.mark.parametrize("name,_help,parser", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_every_example_parses(name, _help, parser):
    example = shlex.split(parser.epilog.splitlines()[1].split("&&")[0])
    args = PARSER.parse_args(example[1:])
    assert args.func is not None


def test_readme_command_table_is_the_parser_s():
    block = readme_block((REPO / "README.md").read_text("utf-8"))
    assert block is not None, "README.md lost its <!-- commands:start/end --> block"
    assert block == command_table(PARSER), (
        "README.md's command table differs from the parser; "
        "rewrite it with: python -m pipelines.commands README.md"
    )


def test_help_and_version_from_the_command_line(capsys):
    with pytest.raises(SystemExit) as exit_help:
        main(["audit", "--help"])
    audit = capsys.readouterr().out
    assert exit_help.value.code == 0
    assert "Verify a release" in audit and "jpcorpus audit out/sample" in audit
    with pytest.raises(SystemExit) as exit_version:
        main(["--version"])
    assert exit_version.value.code == 0
    lines = capsys.readouterr().out.splitlines()
    for word in ("jpcorpus", "datatrove", "ray", "fastText model lid.176.ftz", "SudachiPy"):
        assert any(word in line for line in lines), (word, lines)
