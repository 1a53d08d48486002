"""Index build benchmark: end-to-end build vs raw ``model.encode`` on the same chunk texts.

Usage: python bench/index_build.py [CORPUS_DIR] [--limit N]
Prints a table; copy it into bench/RESULTS.md with the machine it ran on.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import Settings  # noqa: E402
from index.config import apply_offline_env  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "eval" / "multihop-rag" / "corpus"


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run_build(corpus: Path, data_dir: Path) -> tuple[float, str]:
    env = {**os.environ, "NEWSBOT_DATA_DIR": str(data_dir), "NEWSBOT_SOURCE_DIR": str(corpus)}
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "index", "build", "--progress", "none"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"build failed: {proc.stderr[-2000:]}")
    return elapsed, proc.stdout.strip().splitlines()[-1]


def raw_encode(corpus: Path) -> tuple[int, float, float]:
    """Chunk texts exactly as the build embeds them, then time model.encode alone."""
    from sentence_transformers import SentenceTransformer

    from index.factory import make_chunker
    from index.loaders import load_sources

    settings = Settings(source_dir=corpus, nlp=False)  # same chunk texts, without the NLP pass
    chunker = make_chunker(settings)
    started = time.perf_counter()
    docs = load_sources([corpus], int(settings.max_file_mb * 1e6), settings.fetch_timeout_s).documents
    texts = [c.embed_text for d in docs for c in chunker.split(d)]
    prep = time.perf_counter() - started
    model = SentenceTransformer(str(settings.resolved_model_path()), device="cpu")
    started = time.perf_counter()
    model.encode(texts, batch_size=settings.embed_batch_size, normalize_embeddings=True)
    return len(texts), time.perf_counter() - started, prep


def nlp_pass(corpus: Path) -> tuple[int, int, float]:
    """The NLP pass alone (index/nlp.py), on every sentence of every article: sentences, words, seconds."""
    from index.chunking import split_sentences
    from index.loaders import load_sources
    from index.nlp import SpacyAnnotator

    settings = Settings(source_dir=corpus)
    docs = load_sources([corpus], int(settings.max_file_mb * 1e6), settings.fetch_timeout_s).documents
    annotator = SpacyAnnotator(settings.nlp_model)
    annotator.annotate(["Warm-up sentence to load the pipeline."])
    bodies = [[d.page_content[s:e] for s, e in split_sentences(d.page_content)] for d in docs]
    started = time.perf_counter()
    for sentences in bodies:
        annotator.annotate(sentences)
    seconds = time.perf_counter() - started
    return sum(map(len, bodies)), sum(len(s.split()) for b in bodies for s in b), seconds


def subset(corpus: Path, limit: int, into: Path) -> Path:
    """The first ``limit`` files of ``corpus`` (sorted), linked into ``into``."""
    into.mkdir()
    for path in sorted(p for p in corpus.iterdir() if p.is_file())[:limit]:
        (into / path.name).symlink_to(path.resolve())
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=0, help="only the first N articles (sorted)")
    args = parser.parse_args()
    apply_offline_env()
    with tempfile.TemporaryDirectory() as tmp:
        if args.limit:
            args.corpus = subset(args.corpus, args.limit, Path(tmp) / "corpus")
        data_dir = Path(tmp) / "data"
        build_s, summary = run_build(args.corpus, data_dir)
        peak_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        size_mb = dir_size(data_dir) / 1e6
        rebuild_s, rebuild_summary = run_build(args.corpus, data_dir)
        chunks, encode_s, prep_s = raw_encode(args.corpus)
        sentences, words, nlp_s = nlp_pass(args.corpus)
    raw_tp = chunks / encode_s
    build_tp = chunks / build_s
    rows = [
        ("articles corpus", str(args.corpus)),
        ("build summary", summary),
        ("chunks", f"{chunks}"),
        ("raw model.encode", f"{encode_s:.1f} s = {raw_tp:.1f} chunks/s"),
        ("end-to-end build (CLI process, model load incl.)", f"{build_s:.1f} s = {build_tp:.1f} chunks/s"),
        ("build / raw throughput", f"{build_tp / raw_tp:.3f}"),
        ("load + chunk alone (in the raw run)", f"{prep_s:.1f} s"),
        (
            "NLP pass alone (spaCy, index/nlp.py)",
            f"{nlp_s:.1f} s = {words / nlp_s:.0f} words/s ({sentences} sentences)",
        ),
        ("NLP pass / raw encode time", f"{nlp_s / encode_s:.2f}"),
        ("peak RSS of build process", f"{peak_rss_mb:.0f} MB"),
        ("index size on disk", f"{size_mb:.1f} MB"),
        ("rebuild, unchanged corpus (CLI process)", f"{rebuild_s:.2f} s ({rebuild_summary})"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"| {'measure':<{width}} | value |\n|{'-' * (width + 2)}|-------|")
    for name, value in rows:
        print(f"| {name:<{width}} | {value} |")


if __name__ == "__main__":
    main()
