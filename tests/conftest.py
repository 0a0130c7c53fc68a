"""Shared helpers: run the real command line in-process or as a subprocess, copy sites."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from briefgen.cli import main

ROOT = Path(__file__).resolve().parent.parent
# Tests never read or fill the user's build cache (subprocesses inherit this too).
TEST_CACHE = tempfile.mkdtemp(prefix="briefgen-test-cache-")
os.environ["BRIEFGEN_CACHE_DIR"] = TEST_CACHE


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(TEST_CACHE, ignore_errors=True)
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


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; skipped without it unless CI requires it."""
    required = os.environ.get("BRIEFGEN_REQUIRE_BROWSER") == "1"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if required:
            pytest.fail("BRIEFGEN_REQUIRE_BROWSER=1 but Playwright is not installed")
        pytest.skip("Playwright is not installed")
    if not CHROMIUM.exists():
        if required:
            pytest.fail(f"BRIEFGEN_REQUIRE_BROWSER=1 but {CHROMIUM} is missing")
        pytest.skip("Chromium is not installed")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def static_server():
    """Serve a folder on loopback with the standard library's server; yields a start function."""
    import functools
    import http.server
    import threading

    servers = []

    def start(folder: Path) -> str:
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    url: str
    site: Path
    proc: subprocess.Popen[str]
    startup: list[str]  # what it printed before it served


@pytest.fixture
def serve_site(tmp_path: Path):
    """Start a real `briefgen serve` on a copy of a site; yields a start function."""
    started: list[Served] = []

    def start(site: Path, *args: str) -> Served:
        port = free_port()
        env = {**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
        proc = subprocess.Popen([sys.executable, "-m", "briefgen", "--site", str(site), "serve",
                                 "--port", str(port), *args], env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        served = Served(f"http://127.0.0.1:{port}/", site, proc, [])
        started.append(served)
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("Serving "):
                break
            served.startup.append(line)
        else:
            pytest.fail("briefgen serve stopped before serving")
        return served

    yield start
    for served in started:
        served.proc.terminate()
        served.proc.wait(timeout=20)


def leftovers(out: Path) -> list[str]:
    """What a build left beside its output folder ``out``, besides the one tree it keeps
    there on purpose (see swap.py): a folder of briefgen's name with a valid marker, in the
    ``spare`` state, holding only what its manifest lists."""
    import json
    import re

    from briefgen.manifest import foreign_paths, load_manifest

    found = []
    kept = 0
    for path in sorted(out.parent.iterdir()):
        if path == out or not path.name.startswith(f".{out.name}.briefgen-"):
            continue
        if re.fullmatch(r"[0-9a-f]{16}", path.name.rsplit("-", 1)[-1]) and kept == 0:
            try:
                marker = json.loads((path / ".briefgen-staging.json").read_text())
            except (OSError, ValueError):
                marker = {}
            if not (path / "site").is_dir():
                found.append(path.name)
                continue
            manifest = load_manifest(path / "site")
            entries = sorted(p.name for p in path.iterdir())
            if manifest is None:
                clean = not any((path / "site").iterdir())
            else:
                clean = not foreign_paths(path / "site", manifest.files)
            if marker.get("state") in ("spare", "building") and clean and entries in (
                    [".briefgen-staging.json", "site"],
                    [".briefgen-staging.json", "new", "site"]):
                kept += 1
                continue
        found.append(path.name)
    return found


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example site built once for the browser tests, which only read it."""
    out = tmp_path_factory.mktemp("example-built") / "out"
    result = run_subprocess("build", "--out", str(out), cwd=ROOT)
    assert result.code == 0, result.err
    return out
