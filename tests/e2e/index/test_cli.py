"""The `python -m index` command as users run it, including a SIGKILL mid-build."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable

from bot.config import Settings
from index.factory import make_chunker
from index.lexical import lexical_path, old_lexical_path
from index.loaders import load_sources
from index.store import open_store
from tests.corpus import ROOT, write_articles
from tests.e2e.servers import eventually, run_module


def cli_env(settings: Settings, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "NEWSBOT_DATA_DIR": str(settings.data_dir),
        "NEWSBOT_SOURCE_DIR": str(settings.source_dir),
    }
    env.update({f"NEWSBOT_{k.upper()}": v for k, v in extra.items()})
    return env


def run_cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_module("index", args, env)


def test_build_status_remove_and_exit_codes(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    write_articles(settings.source_dir, 2)
    env = cli_env(settings)
    built = run_cli(["build", "--progress", "plain"], env)
    assert built.returncode == 0, built.stderr
    assert (
        built.stdout.strip()
        .splitlines()[-1]
        .startswith("added 2, updated 0, unchanged 0, removed 0, failed 0")
    )
    assert "embedded" in built.stderr and "ETA" in built.stderr

    status = run_cli(["status", "--json"], env)
    info = json.loads(status.stdout)
    assert (info["articles"], info["store_mode"]) == (2, "embedded")
    assert info["chunks"] > 2 and info["last_build_at"] != "never"
    assert info["articles_with_sentence_notes"] == 2
    assert info["lexical_index_chunks"] == info["chunks"] and info["lexical_index_gap"] == ""

    (settings.source_dir / "empty.txt").write_text("")
    failed = run_cli(["build"], env)
    assert failed.returncode == 1
    assert f"failed: {settings.source_dir / 'empty.txt'}: empty file" in failed.stderr

    assert run_cli(["remove", "article-000"], env).returncode == 0
    missing = run_cli(["remove", "article-000"], env)
    assert missing.returncode == 3 and "no article with id 'article-000'" in missing.stderr


def test_an_index_built_without_notes_gets_them_on_the_next_build(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    write_articles(settings.source_dir, 2)
    assert run_cli(["build"], cli_env(settings, nlp="false")).returncode == 0
    env = cli_env(settings)
    before = run_cli(["status"], env)
    assert "articles with sentence notes: 0" in before.stdout
    assert "hint: some articles have no sentence notes; `python -m index build` adds them" in before.stdout

    rebuilt = run_cli(["build"], env)
    assert rebuilt.stdout.strip().splitlines()[-1].startswith("added 0, updated 2, unchanged 0")
    after = run_cli(["status"], env)
    assert "articles with sentence notes: 2" in after.stdout and "hint:" not in after.stdout


def test_kill_mid_build_then_rerun_completes_exactly(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(
        chunk_max_tokens=64, chunk_overlap_tokens=8, write_batch_size=4, embed_batch_size=4
    )
    write_articles(settings.source_dir, 30, sentences=14)
    env = cli_env(
        settings, chunk_max_tokens="64", chunk_overlap_tokens="8", write_batch_size="4", embed_batch_size="4"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "index", "build", "--progress", "plain"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stderr is not None
    total = 0
    for line in proc.stderr:
        if line.startswith("embedded "):
            done, total = (int(x) for x in line.split()[1].split("/"))
            if done >= 12:
                break
    assert proc.poll() is None, "the build finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    partial = open_store(settings).count()
    assert 0 < partial < total, f"expected a partial index, found {partial} of {total}"

    rerun = run_cli(["build"], env)
    assert rerun.returncode == 0, rerun.stderr
    # The killed build's lexical writes were never committed: the rerun says it repairs them.
    assert "lexical index: a write was interrupted" in rerun.stderr
    assert "lexical index brought in line with the store (a write was interrupted" in rerun.stdout
    assert f"is new): {partial} chunks added, 0 deleted" in rerun.stdout
    chunker = make_chunker(settings)
    docs = load_sources([settings.source_dir], 5_000_000, 1).documents
    wanted = sorted(c.id for d in docs for c in chunker.split(d))
    store = open_store(settings)
    ids = sorted(store.collection.get(include=[])["ids"])
    assert ids == wanted  # no missing chunk and no duplicate
    assert store.count() == len(wanted) == total
    assert store.lexical is not None and sorted(store.lexical.view().ids()) == wanted  # both stores

    again = run_cli(["build"], env)
    assert "added 0, updated 0, unchanged 30" in again.stdout


def test_help_texts_describe_commands() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "index", "--help"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    for command in ("build", "watch", "status", "remove"):
        assert command in out
    build_help = subprocess.run(
        [sys.executable, "-m", "index", "build", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "--no-prune" in build_help and "URL" in build_help


def test_watch_follows_the_folder_and_a_killed_watch_is_completed_by_the_next(
    make_settings: Callable[..., Settings],
) -> None:
    """Files added and removed while ``index watch`` runs are synced, one line each; a watch
    killed with SIGKILL mid-sync leaves what the next one (``--once``) completes exactly."""
    settings = make_settings(write_batch_size="4", embed_batch_size="4")
    write_articles(settings.source_dir, 1)
    env = cli_env(settings, write_batch_size="4", embed_batch_size="4")
    watch = subprocess.Popen(
        [sys.executable, "-m", "index", "watch", "--every", "0.3"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    assert watch.stdout is not None
    lines: list[str] = []

    def said(kind: str, what: str) -> bool:
        while not any(line.split()[1:3] == [kind, what] for line in lines):
            line = watch.stdout.readline()  # type: ignore[union-attr]
            if not line:
                return False
            lines.append(line)
        return True

    try:
        assert said("added", "article-000"), lines
        write_articles(settings.source_dir, 3)  # two more
        assert said("added", "article-002"), lines
        (settings.source_dir / "article-001.txt").unlink()
        assert said("removed", "article-001"), lines
        before = open_store(settings).count()
        write_articles(settings.source_dir, 40, sentences=14)  # a big batch: killed while syncing it
        assert eventually(lambda: open_store(settings).count() > before, 60)
        watch.send_signal(signal.SIGKILL)
    finally:
        watch.kill()
        watch.wait(timeout=30)
    once = run_cli(["watch", "--once"], env)
    assert once.returncode == 0, once.stderr
    chunker = make_chunker(settings)
    docs = load_sources([settings.source_dir], 5_000_000, 1).documents
    wanted = sorted(c.id for d in docs for c in chunker.split(d))
    assert sorted(open_store(settings).collection.get(include=[])["ids"]) == wanted


def test_a_data_folder_of_the_old_lexical_format_is_converted_by_the_next_build(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    write_articles(settings.source_dir, 2)
    env = cli_env(settings)
    assert run_cli(["build"], env).returncode == 0
    store = open_store(settings)
    wanted = set(store.collection.get(include=[])["ids"])
    # What an older version left: its own segment store, and no Tantivy index.
    shutil.rmtree(lexical_path(settings))
    (old_lexical_path(settings) / "segments").mkdir(parents=True)
    rebuilt = run_cli(["build"], env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "lexical index: a write was interrupted, or the lexical index is new" in rebuilt.stderr
    assert f"{len(wanted)} chunks added, 0 deleted" in rebuilt.stdout
    assert not old_lexical_path(settings).exists()
    converted = open_store(settings)
    assert converted.lexical is not None and converted.lexical.view().ids() == wanted
    assert converted.lexical_gap() == ""
    again = run_cli(["build"], env)
    assert "lexical index" not in again.stderr + again.stdout  # nothing left to repair
