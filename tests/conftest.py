"""Shared helpers: run the real command line in-process or as a subprocess, copy sites."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from briefgen.cli import main

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def headlines(self) -> list[str]:
        """The diagnostic lines of standard error (without the source context under them)."""
        return [line for line in self.err.splitlines()
                if ": error: " in line or ": warning: " in line]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run ``briefgen ARGS`` in this process and capture its output."""

    def run(*args: str) -> Run:
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's usage errors
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def run_subprocess(*args: str, cwd: Path | None = None) -> Run:
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-m", "briefgen", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def copy_site(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


@pytest.fixture
def example_site(tmp_path: Path) -> Path:
    """A copy of the repository's example site."""
    site = tmp_path / "example"
    site.mkdir()
    shutil.copy(ROOT / "site.yaml", site / "site.yaml")
    shutil.copytree(ROOT / "content", site / "content")
    return site


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
