"""The CI recipes work as shipped: the pre-commit hooks under pre-commit, the workflow's commands.

The hook is run the way a user's repository runs it: ``pre-commit try-repo``
on this repository, from a throwaway git repository whose pyproject.toml
names the spec and the output, once with the client fresh (passes) and once
with the spec edited (fails, showing the diff).  The workflow in
``docs/ci/client.yml`` is parsed as YAML, and every ``forgegen`` command in it
must parse with forgegen's own options.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from forgegen.cli import main
from forgegen.diff_cli import diff_command

ROOT = Path(__file__).resolve().parent.parent
PETSTORE = ROOT / "samples" / "specs" / "petstore.yaml"


def _git(cwd: Path, *arguments: str) -> None:
    identity = ["-c", "user.email=ci@example.com", "-c", "user.name=ci"]
    subprocess.run(["git", *identity, *arguments], cwd=cwd, check=True, capture_output=True)


def _pre_commit(
    command: list[str], project: Path, environment: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command, "--all-files"],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.slow
def test_the_check_hook_passes_fresh_and_fails_stale_under_pre_commit(tmp_path: Path) -> None:
    if not (ROOT / ".git").exists():
        pytest.fail("the repository must be a git checkout for pre-commit try-repo")
    project = tmp_path / "project"
    (project / "specs").mkdir(parents=True)
    shutil.copy(PETSTORE, project / "specs" / "petstore.yaml")
    (project / "pyproject.toml").write_text(
        '[tool.forgegen]\nspec = "specs/petstore.yaml"\noutput = "src/petstore"\n',
        encoding="utf-8",
    )
    forgegen = Path(sys.executable).with_name("forgegen")
    subprocess.run([str(forgegen), "--quiet", "--no-cache"], cwd=project, check=True)
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "client")
    environment = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    pre_commit = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "forgegen-check"]

    fresh = _pre_commit(pre_commit, project, environment)
    assert fresh.returncode == 0, fresh.stdout[-3000:]
    assert "Passed" in fresh.stdout

    spec = project / "specs" / "petstore.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("Find pet by ID", "Look a pet up"))
    stale = _pre_commit(pre_commit, project, environment)
    assert stale.returncode == 1, stale.stdout[-3000:]
    assert "Failed" in stale.stdout
    assert "+++ b/README.md" in stale.stdout
    assert "Look a pet up" in stale.stdout


def _forgegen_commands(workflow: dict[str, Any]) -> list[list[str]]:
    commands = []
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            for line in str(step.get("run", "")).splitlines():
                words = shlex.split(line.split(">", 1)[0])
                if words and words[0] == "forgegen":
                    commands.append(words[1:])
    return commands


def test_the_workflow_is_yaml_whose_forgegen_commands_parse() -> None:
    workflow = yaml.safe_load((ROOT / "docs" / "ci" / "client.yml").read_text(encoding="utf-8"))
    assert set(workflow["jobs"]) == {"check", "regenerate"}
    commands = _forgegen_commands(workflow)
    assert ["--check", "--diff"] in commands
    assert any(command[:1] == ["diff"] for command in commands)
    for command in commands:
        parser: click.Command = diff_command if command[:1] == ["diff"] else main
        arguments = command[1:] if command[:1] == ["diff"] else command
        # Raises click's UsageError for an option forgegen does not have.
        parser.make_context("forgegen", list(arguments))


def test_a_command_with_a_wrong_flag_is_caught_by_that_check() -> None:
    with pytest.raises(click.UsageError):
        main.make_context("forgegen", ["--check", "--difff"])


def test_the_hooks_call_options_forgegen_has() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert {hook["id"] for hook in hooks} == {"forgegen-check", "forgegen"}
    for hook in hooks:
        words = shlex.split(hook["entry"])
        assert words[0] == "forgegen"
        main.make_context("forgegen", words[1:])
        assert hook["pass_filenames"] is False
