"""Reports editors can read: report.md, a self-contained report.html (inline PNG plots) and
results.csv (one row per question, for a spreadsheet).

Every question, answer and quote is escaped before it goes into HTML, and no CSV cell can run as
a spreadsheet formula: they are untrusted.
"""

from __future__ import annotations

import base64
import csv
import html
import io
from pathlib import Path
from typing import Any

from bot.cells import ALTERNATIVES, csv_cell

METRICS = [
    ("retrieval", "hits@4"),
    ("retrieval", "hits@10"),
    ("retrieval", "mrr@10"),
    ("answer", "accuracy"),
    ("answer", "f1"),
    ("citation", "precision"),
    ("citation", "recall"),
    ("citation", "faithfulness"),
    ("refusal", "precision"),
    ("refusal", "recall"),
    ("latency", "p50_ms"),
    ("latency", "p95_ms"),
]


def metric(summary: dict[str, Any], path: str) -> float | None:
    """'retrieval.hits@10' → the value in a summary (None when absent or not applicable)."""
    node: Any = summary
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return float(node) if isinstance(node, (int, float)) else None


def fmt(value: float | None, name: str = "") -> str:
    if value is None:
        return "–"
    return f"{value:.0f} ms" if name.endswith("_ms") else f"{value:.3f}"


# What the reader is shown: a question whose any of these differ was answered differently.
ANSWER_FIELDS = ("standalone_question", "answer", "refused", "error", "notice", "citations")


def compare(summary: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    """Metric deltas, the questions that got better or worse (correctness, then retrieval) and
    those answered differently at all (a refactor must leave ``changed`` empty)."""
    deltas = {}
    for group, name in METRICS:
        now, then = metric(summary, f"{group}.{name}"), metric(previous, f"{group}.{name}")
        deltas[f"{group}.{name}"] = {
            "now": now,
            "before": then,
            "delta": None if now is None or then is None else now - then,
        }
    before = {r["id"]: r for r in previous.get("per_question", [])}
    better, worse, changed = [], [], []
    for row in summary["per_question"]:
        old = before.get(row["id"])
        if old is None:
            continue
        if any(row.get(f) != old.get(f) for f in ANSWER_FIELDS):
            changed.append(row["id"])
        change = _outcome(row) - _outcome(old)
        if change > 0:
            better.append(row["id"])
        elif change < 0:
            worse.append(row["id"])
    return {"metrics": deltas, "better": better, "worse": worse, "changed": changed}


def _changed(comparison: dict[str, Any]) -> str:
    """How many answers differ, and which (a comparison with an older file may lack the list)."""
    changed = comparison.get("changed", [])
    return f"{len(changed)}" + (f" ({', '.join(changed)})" if changed else "")


def _outcome(row: dict[str, Any]) -> float:
    """A question's standing: right answer (or right refusal) first, then retrieval rank."""
    right = row["correct"] if row["answerable"] else row["refused"] and not row["violations"]
    rank = row.get("hit_rank")
    return 2.0 * bool(right) + (1.0 / rank if rank else 0.0)


def check_thresholds(
    summary: dict[str, Any], minimums: dict[str, float], maximums: dict[str, float] | None = None
) -> list[str]:
    """Missed '--min' / '--max' thresholds, as messages (empty: all met)."""
    missed = []
    for path, floor in minimums.items():
        value = metric(summary, path)
        if value is None or value < floor:
            missed.append(f"{path} = {fmt(value)} < {floor:g}")
    for path, ceiling in (maximums or {}).items():
        value = metric(summary, path)
        if value is None or value > ceiling:
            missed.append(f"{path} = {fmt(value)} > {ceiling:g}")
    return missed


def markdown(summary: dict[str, Any], comparison: dict[str, Any] | None = None) -> str:
    lines = [f"# Evaluation report — {summary['questions']} questions, answerer `{summary['answerer']}`", ""]
    lines += [
        "| metric | overall | " + " | ".join(summary["by_type"]) + " |",
        "|---|---|" + "---|" * len(summary["by_type"]),
    ]
    for group, name in METRICS:
        cells = [fmt(metric(summary, f"{group}.{name}"), name)]
        cells += [fmt(metric(s, f"{group}.{name}"), name) for s in summary["by_type"].values()]
        lines.append(f"| {group} {name} | " + " | ".join(cells) + " |")
    lines.append(f"| must_not_contain violations | {summary['must_not_contain']['violations']} |")
    if comparison:
        lines += [
            "",
            "## Compared with the previous run",
            "",
            f"Better: {', '.join(comparison['better']) or 'none'}",
            f"Worse: {', '.join(comparison['worse']) or 'none'}",
            f"Answered differently: {_changed(comparison)}",
        ]
    lines += [
        "",
        "## Questions",
        "",
        "| id | type | question | gold | answer | hit | correct | refused | ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in summary["per_question"]:
        cells = [
            r["id"],
            r["type"],
            r["question"],
            "; ".join(r["gold"]) or "(unanswerable)",
            r["answer"][:300],
            str(r["hit_rank"] or "–"),
            _flag(r["correct"]),
            _flag(r["refused"]),
            f"{r['latency_ms']:.0f}",
        ]
        lines.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def _flag(value: bool | None) -> str:
    return "–" if value is None else ("yes" if value else "no")


def plots(summary: dict[str, Any]) -> dict[str, str]:
    """Base64 PNGs: hits@k curve, latency histogram, accuracy by type."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = summary["per_question"]
    ranks = [r["hit_rank"] for r in rows if r["answerable"] and (r["hit_rank"] is not None or r["gold"])]
    images = {}
    fig, ax = plt.subplots(figsize=(5, 3))
    ks = list(range(1, 11))
    ax.plot(
        ks, [sum(1 for x in ranks if x is not None and x <= k) / max(1, len(ranks)) for k in ks], marker="o"
    )
    ax.set(xlabel="k", ylabel="hits@k", ylim=(0, 1), title="Retrieval hits@k")
    images["hits@k"] = _png(fig)
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.hist([r["latency_ms"] for r in rows], bins=20)
    ax.set(xlabel="ms", ylabel="questions", title="Answer latency")
    images["latency"] = _png(fig)
    fig, ax = plt.subplots(figsize=(5, 3))
    types = list(summary["by_type"])
    ax.bar(types, [metric(summary["by_type"][t], "answer.accuracy") or 0 for t in types])
    ax.set(ylabel="accuracy", ylim=(0, 1), title="Answer accuracy by type")
    ax.tick_params(axis="x", rotation=30)
    images["accuracy"] = _png(fig)
    plt.close("all")
    return images


def _png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=90)
    return base64.b64encode(buffer.getvalue()).decode()


def html_report(summary: dict[str, Any], comparison: dict[str, Any] | None = None) -> str:
    """One file, no external assets: tables, inline PNG plots, every text escaped."""
    esc = html.escape
    head = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Evaluation report</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:1.5rem;max-width:1200px}"
        "table{border-collapse:collapse;font-size:.85rem}td,th{border:1px solid #ccc;padding:.25rem .4rem;"
        "vertical-align:top}th{background:#f3f3f3}.bad{background:#fde8e8}.good{background:#e8f6e8}"
        "img{margin:.5rem}</style></head><body>"
    )
    parts = [
        head,
        f"<h1>Evaluation report: {summary['questions']} questions, answerer "
        f"<code>{esc(summary['answerer'])}</code></h1>",
    ]
    types = list(summary["by_type"])
    parts.append(
        "<table><tr><th>metric</th><th>overall</th>" + "".join(f"<th>{esc(t)}</th>" for t in types) + "</tr>"
    )
    for group, name in METRICS:
        cells = [fmt(metric(summary, f"{group}.{name}"), name)]
        cells += [fmt(metric(summary["by_type"][t], f"{group}.{name}"), name) for t in types]
        parts.append(f"<tr><td>{group} {name}</td>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    parts.append(
        f"<tr><td>must_not_contain violations</td><td>{summary['must_not_contain']['violations']}</td></tr>"
    )
    parts.append("</table>")
    parts += [
        f"<img alt='{esc(name)}' src='data:image/png;base64,{data}'>" for name, data in plots(summary).items()
    ]
    if comparison:
        parts.append("<h2>Compared with the previous run</h2>")
        parts.append(f"<p>Better: {esc(', '.join(comparison['better']) or 'none')}</p>")
        parts.append(f"<p>Worse: {esc(', '.join(comparison['worse']) or 'none')}</p>")
        parts.append(f"<p>Answered differently: {esc(_changed(comparison))}</p>")
    parts.append(
        "<h2>Questions</h2><table><tr><th>id</th><th>type</th><th>question</th><th>gold</th>"
        "<th>answer</th><th>citations</th><th>hit</th><th>correct</th><th>refused</th><th>ms</th></tr>"
    )
    for r in summary["per_question"]:
        css = "good" if r["correct"] or (not r["answerable"] and r["refused"]) else "bad"
        cites = "<br>".join(
            f"[{c['n']}] {esc(c['article_id'])}: “{esc(c['quote'][:200])}”" for c in r["citations"]
        )
        parts.append(
            f"<tr class='{css}'><td>{esc(r['id'])}</td><td>{esc(r['type'])}</td><td>{esc(r['question'])}</td>"
            f"<td>{esc('; '.join(r['gold']) or '(unanswerable)')}</td><td>{esc(r['answer'])}</td>"
            f"<td>{cites}</td>"
            f"<td>{r['hit_rank'] or '–'}</td><td>{_flag(r['correct'])}</td><td>{_flag(r['refused'])}</td>"
            f"<td>{r['latency_ms']:.0f}</td></tr>"
        )
    parts.append("</table></body></html>")
    return "\n".join(parts)


RESULT_COLUMNS = (
    "id",
    "question",
    "article",
    "type",
    "answerable",
    "expected",
    "answer",
    "refused",
    "correct",
    "f1",
    "hit_rank",
    "cited",
    "violations",
    "latency_ms",
    "error",
    "note",
)


def write_results(path: Path, summary: dict[str, Any]) -> None:
    """results.csv: the runner's per-question results as they are (nothing recomputed), lists
    ``|``-joined, yes/no as true/false, a blank where a metric does not apply."""
    # utf-8-sig: Excel reads a CSV without a BOM in the machine's legacy code page.
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(RESULT_COLUMNS)
        writer.writerows([csv_cell(c) for c in _result_cells(r)] for r in summary["per_question"])


def _result_cells(row: dict[str, Any]) -> list[str]:
    """One ``per_question`` row in ``RESULT_COLUMNS`` order."""
    cited = dict.fromkeys(c["article_id"] for c in row["citations"])  # each article once, in order
    return [
        row["id"],
        row["question"],
        row["article"] or "",
        row["type"],
        _csv_flag(row["answerable"]),
        ALTERNATIVES.join(row["gold"]),
        row["answer"],
        _csv_flag(row["refused"]),
        _csv_flag(row["correct"]),
        "" if row["f1"] is None else f"{row['f1']:.3f}",
        str(row["hit_rank"] or ""),
        ALTERNATIVES.join(cited),
        ALTERNATIVES.join(row["violations"]),
        f"{row['latency_ms']:.0f}",
        row["error"] or "",
        row.get("note", ""),
    ]


def _csv_flag(value: bool | None) -> str:
    return "" if value is None else str(bool(value)).lower()


def write_report(folder: Path, summary: dict[str, Any], comparison: dict[str, Any] | None) -> None:
    """report.md, report.html and results.csv in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.md").write_text(markdown(summary, comparison), encoding="utf-8")
    (folder / "report.html").write_text(html_report(summary, comparison), encoding="utf-8")
    write_results(folder / "results.csv", summary)
