"""Turn article files, folders and URLs into one LangChain ``Document`` per article.

``page_content`` is the article body exactly as it appears in the source (only the
header block and a trailing byline are cut off), so character offsets into it can
be used to highlight quotes later. Bad input never raises out of :func:`load_sources`:
each problem becomes a :class:`LoadFailure` naming the file and the reason.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from langchain_core.documents import Document

from index.errors import InputError

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSON_SUFFIXES = {".json", ".jsonl"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES
METADATA_KEYS = ("article_id", "title", "source", "author", "published_at", "url", "category")
MIN_BODY_WORDS = 5
PUBLIC = "public"
ACCESS_LEVELS = (PUBLIC, "subscriber")  # who may read an article through the bot

_HEADER_LINE = re.compile(
    r"^(source|outlet|publisher|author|by|published|published_at|date|updated|updated_at|category|url|id|access)"
    r"\s*:\s*(.*)$",
    re.IGNORECASE,
)
_HEADER_FIELD = {
    "source": "source",
    "outlet": "source",
    "publisher": "source",
    "author": "author",
    "by": "author",
    "published": "published_at",
    "published_at": "published_at",
    "date": "published_at",
    "updated": "updated_at",
    "updated_at": "updated_at",
    "access": "access",
    "category": "category",
    "url": "url",
    "id": "article_id",
}
# A last line such as "Source: Alisa Orlova" or "By Jane Doe": a byline, not content.
_TRAILING_BYLINE = re.compile(
    r"^(?:by|source|author|written by|reporting by)\s*[:\-–—]?\s*"
    r"(?P<name>[^\W\d_][\w.'’\- ]{1,78}(?:,\s*[\w.'’\- ]{2,40})?)$",
    re.IGNORECASE,
)


# "By Ana Lima" right under the title: a byline without the "Author:" key.
_LEADING_BYLINE = re.compile(r"^by\s+([^\W\d_][\w.'’\- ]{1,60})$", re.IGNORECASE)


class ArticleLoadError(InputError):
    """One source could not be turned into an article; the message says why."""


USER_AGENT = "newsbot-indexer/1.0"  # what `index build URL` says it is

# A failure names its source and says why, often quoting what the source held (a title, an
# id): untrusted text that goes to logs, terminals and the admin API, so it is cut short here.
FAILURE_ORIGIN_CHARS, FAILURE_REASON_CHARS = 300, 500


@dataclass(frozen=True)
class LoadFailure:
    origin: str
    reason: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "origin", one_line(self.origin, FAILURE_ORIGIN_CHARS))
        object.__setattr__(self, "reason", one_line(self.reason, FAILURE_REASON_CHARS))

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def one_line(text: str, limit: int) -> str:
    """Untrusted text as one line (control characters such as CR, LF and NUL as spaces: a
    newline in a quoted title would forge a log line of its own) of at most ``limit``
    characters, saying how long it was when cut."""
    line = " ".join(_CONTROL.sub(" ", text).split())
    if len(line) <= limit:
        return line
    tail = f"… ({len(line):,} characters)"
    return line[: limit - len(tail)] + tail


@dataclass
class LoadResult:
    documents: list[Document] = field(default_factory=list)
    failures: list[LoadFailure] = field(default_factory=list)
    # Sources that failed: their previously indexed articles must be kept, not pruned.
    failed_origins: set[str] = field(default_factory=set)


def slugify(value: str, max_len: int = 100) -> str:
    """A stable, readable identifier: lowercase ASCII letters, digits, ``._-``."""
    slug = re.sub(r"[^a-z0-9._-]+", "-", value.lower()).strip("-.")
    if len(slug) > max_len:
        digest = hashlib.sha1(value.encode()).hexdigest()[:8]
        slug = f"{slug[: max_len - 9].rstrip('-.')}-{digest}"
    return slug or hashlib.sha1(value.encode()).hexdigest()[:12]


def normalize_date(raw: str | None) -> str | None:
    """ISO 8601 for the date formats seen in news feeds; ``None`` when unparseable."""
    if not raw or not raw.strip():
        return None
    text = raw.strip()
    iso = re.sub(r"(\.\d{6})\d+", r"\1", text.replace(" ", "T", 1)).replace("Z", "+00:00")
    parsed: datetime | None
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        parsed = _parse_human_date(text)
    if parsed is None:
        return None
    if len(text) <= 10 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text
    return parsed.isoformat().replace("+00:00", "Z")


def _parse_human_date(text: str) -> datetime | None:
    from email.utils import parsedate_to_datetime

    for fmt in ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def body_hash(body: str) -> str:
    """Hash of the body with whitespace collapsed: finds one article under two names."""
    return hashlib.sha256(" ".join(body.split()).encode()).hexdigest()


def make_document(body: str, meta: dict[str, Any], origin: str, origin_kind: str) -> Document:
    """Validate the body and assemble metadata in one canonical shape."""
    if len(body.split()) < MIN_BODY_WORDS:
        raise ArticleLoadError("no article text (body is empty or only a few words)")
    title = (meta.get("title") or "").strip() or _fallback_title(body)
    metadata: dict[str, Any] = {
        "article_id": slugify(str(meta["article_id"])),
        "title": title,
        "source": (meta.get("source") or "").strip(),
        "author": (meta.get("author") or "").strip(),
        "published_at": normalize_date(meta.get("published_at")) or "",
        "url": (meta.get("url") or "").strip(),
        "category": (meta.get("category") or "").strip(),
        "origin": origin,
        "origin_kind": origin_kind,
        "content_hash": body_hash(body),
    }
    # Set only when given: an article without them keeps the fingerprint it always had.
    updated = normalize_date(meta.get("updated_at"))
    if updated:
        metadata["updated_at"] = updated
    access = (meta.get("access") or "").strip().lower()
    if access and access != PUBLIC:
        if access not in ACCESS_LEVELS:
            raise ArticleLoadError(f"access must be one of {', '.join(ACCESS_LEVELS)}")
        metadata["access"] = access
    return Document(page_content=body, metadata=metadata)


def _fallback_title(body: str) -> str:
    first = body.strip().splitlines()[0]
    return first if len(first) <= 120 else first[:117].rsplit(" ", 1)[0] + "…"


# --- plain text / markdown -------------------------------------------------------------


def parse_text_article(text: str, default_id: str, origin: str, origin_kind: str = "file") -> Document:
    """Title line, optional ``Key: value`` header block, body, optional trailing byline."""
    lines = text.splitlines(keepends=True)
    pos = 0
    meta: dict[str, Any] = {"article_id": default_id}
    pos = _skip_blank(lines, pos)
    if pos >= len(lines):
        raise ArticleLoadError("empty file")
    meta["title"] = lines[pos].strip().lstrip("#").strip()
    pos += 1
    while True:
        pos = _skip_blank(lines, pos)
        if pos >= len(lines):
            break
        line = lines[pos].strip()
        if line.lstrip("#").strip() == meta["title"]:
            pos += 1  # a repeated title (common in scraped pages) is not content
            continue
        byline = _LEADING_BYLINE.match(line)
        if byline and not meta.get("author"):
            meta["author"] = byline.group(1).strip()
            pos += 1
            continue
        match = _HEADER_LINE.match(line)
        if not match or not match.group(2).strip():
            break
        meta[_HEADER_FIELD[match.group(1).lower()]] = match.group(2).strip()
        pos += 1
    offset = sum(len(line) for line in lines[:pos])
    body = text[offset:].strip()
    body, trailing = split_trailing_byline(body)
    if trailing and not meta.get("author"):
        meta["author"] = trailing
    return make_document(body, meta, origin, origin_kind)


def _skip_blank(lines: Sequence[str], pos: int) -> int:
    while pos < len(lines) and not lines[pos].strip():
        pos += 1
    return pos


def split_trailing_byline(body: str) -> tuple[str, str | None]:
    """Cut a lone byline line ("Source: Alisa Orlova") off the end of the body."""
    head, _, last = body.rstrip().rpartition("\n")
    match = _TRAILING_BYLINE.match(last.strip())
    if not head.strip() or not match or last.strip().endswith((".", "!", "?")):
        return body, None
    name = match.group("name").strip()
    if len(name.split()) > 6:
        return body, None
    return head.rstrip(), name


# --- HTML ------------------------------------------------------------------------------


def parse_html_article(
    html: str, default_id: str, origin: str, url: str | None = None, origin_kind: str = "file"
) -> Document:
    """Main text and metadata of a news page, via trafilatura (no navigation, ads, scripts)."""
    import trafilatura  # lazy: heavy import, only needed for HTML

    extracted = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        favor_precision=True,
    )
    text = (getattr(extracted, "text", None) or "").strip() if extracted else ""
    if len(text.split()) < MIN_BODY_WORDS:
        raise ArticleLoadError("no article text found in the HTML page")
    categories = getattr(extracted, "categories", None) or []
    meta = {
        "article_id": default_id,
        "title": getattr(extracted, "title", None),
        "author": getattr(extracted, "author", None),
        "published_at": getattr(extracted, "date", None),
        "url": getattr(extracted, "url", None) or url,
        "source": getattr(extracted, "sitename", None) or getattr(extracted, "hostname", None),
        "category": ", ".join(categories) if isinstance(categories, list) else str(categories),
    }
    return make_document(text, meta, origin, origin_kind)


# --- JSON / JSON Lines -----------------------------------------------------------------


def parse_json_records(
    text: str, stem: str, origin: str, jsonl: bool
) -> tuple[list[Document], list[LoadFailure]]:
    """Records with ``title``, ``body``/``text``, ``url``, ``published_at``, ``source``, ``author``."""
    docs: list[Document] = []
    failures: list[LoadFailure] = []
    for label, record in _json_records(text, origin, jsonl, failures):
        try:
            docs.append(_json_record_document(record, stem, label, many=jsonl or label != origin))
        except ArticleLoadError as err:
            failures.append(LoadFailure(label, str(err)))
    return docs, failures


def _json_records(
    text: str, origin: str, jsonl: bool, failures: list[LoadFailure]
) -> Iterator[tuple[str, Any]]:
    if jsonl:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                yield f"{origin}:{number}", json.loads(line)
            except json.JSONDecodeError as err:
                failures.append(
                    LoadFailure(f"{origin}:{number}", f"malformed JSON: {err.msg} (column {err.colno})")
                )
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ArticleLoadError(f"malformed JSON: {err.msg} (line {err.lineno}, column {err.colno})") from err
    if isinstance(data, list):
        for number, record in enumerate(data):
            yield f"{origin}[{number}]", record
    else:
        yield origin, data


def _json_record_document(record: Any, stem: str, label: str, many: bool) -> Document:
    if not isinstance(record, dict):
        raise ArticleLoadError("expected a JSON object with title and body/text")
    body = _first_str(record, "body", "text", "content")
    if body is None:
        raise ArticleLoadError("JSON record has no 'body' or 'text' field")
    title = _first_str(record, "title", "headline")
    url = _first_str(record, "url", "link")
    explicit_id = _first_str(record, "article_id", "id")
    if explicit_id:
        article_id = explicit_id
    elif not many:
        article_id = stem
    elif url:
        article_id = url_article_id(url)
    else:
        article_id = f"{stem}-{slugify(title or body[:60], 60)}"
    meta = {
        "article_id": article_id,
        "title": title,
        "url": url,
        "published_at": _first_str(record, "published_at", "published", "date"),
        "source": _first_str(record, "source", "outlet", "publisher"),
        "author": _first_str(record, "author", "byline"),
        "category": _first_str(record, "category", "section"),
        "updated_at": _first_str(record, "updated_at", "updated", "modified"),
        "access": _first_str(record, "access"),
    }
    return make_document(body.strip(), meta, label, "file")


def _first_str(record: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = record.get(key)
        if isinstance(value, (str, int, float)) and str(value).strip():
            return str(value)
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return ", ".join(value)
    return None


def url_article_id(url: str) -> str:
    parts = urlsplit(url)
    return slugify(f"{parts.netloc}{parts.path}".rstrip("/"), 80)


# --- files, folders, URLs --------------------------------------------------------------


def read_text_file(path: Path, max_bytes: int) -> str:
    """Read a UTF-8 file, refusing empty, oversized, binary and undecodable ones."""
    size = path.stat().st_size
    if size == 0:
        raise ArticleLoadError("empty file")
    if size > max_bytes:
        raise ArticleLoadError(
            f"file too large: {size / 1e6:.1f} MB (limit {max_bytes / 1e6:g} MB, "
            "set NEWSBOT_MAX_FILE_MB to raise it)"
        )
    raw = path.read_bytes()
    if b"\x00" in raw[:8192]:
        raise ArticleLoadError("binary file, not text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ArticleLoadError(
            f"not UTF-8 text: undecodable byte 0x{raw[err.start]:02x} at offset {err.start}"
        ) from err
    if not text.strip():
        raise ArticleLoadError("empty file")
    return text


def load_file(path: Path, max_bytes: int) -> tuple[list[Document], list[LoadFailure]]:
    """One file → its articles (several for JSON lists/JSONL) and per-record failures."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ArticleLoadError(
            f"unsupported file type '{suffix or path.name}' "
            f"(supported: {', '.join(sorted(SUPPORTED_SUFFIXES))})"
        )
    text = read_text_file(path, max_bytes)
    origin = str(path)
    if suffix in JSON_SUFFIXES:
        return parse_json_records(text, path.stem, origin, jsonl=suffix == ".jsonl")
    if suffix in HTML_SUFFIXES:
        return [parse_html_article(text, path.stem, origin)], []
    return [parse_text_article(text, path.stem, origin)], []


def load_url(url: str, timeout_s: float, max_bytes: int) -> Document:
    """Fetch one article page over HTTP(S) (``index.fetch``: robots.txt, redirects kept on its
    site, no private address unless the URL itself is one, capped) and extract it like an HTML
    file."""
    from index.fetch import FetchConfig, Fetcher, FetchError  # lazy: only needed for URLs

    # A whole page within a few reads' time; one request, so no delay between hosts.
    config = FetchConfig(
        timeout_s=timeout_s, deadline_s=3 * timeout_s, host_delay_s=0.0, user_agent=USER_AGENT
    )
    fetcher = Fetcher(config)
    try:
        page = fetcher.get(url, {}, max_bytes)
    except FetchError as err:
        raise ArticleLoadError(str(err)) from err
    finally:
        fetcher.close()
    if page.status >= 400:
        raise ArticleLoadError(f"HTTP {page.status}")
    text = page.text()
    article_id = url_article_id(page.url)
    if "html" in page.headers.get("content-type", "") or text.lstrip()[:1] == "<":
        return parse_html_article(text, article_id, url, url=page.url, origin_kind="url")
    doc = parse_text_article(text, article_id, url, origin_kind="url")
    doc.metadata["url"] = doc.metadata["url"] or page.url
    return doc


def is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def is_web_url(value: str) -> bool:
    """An absolute http(s) URL with a host and a readable port: the only kind fetched or linked."""
    try:
        parts = urlsplit(value.strip())
        return parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # an unreadable port or address
        return False


def iter_source_files(root: Path) -> Iterator[Path]:
    """Files under a folder in a stable order, hidden files and folders skipped."""
    if root.is_file():
        yield root
        return
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            yield path


def load_sources(sources: Sequence[str | Path], max_bytes: int, timeout_s: float) -> LoadResult:
    """Load every article under the given files, folders and URLs; never raises on bad input."""
    result = LoadResult()
    seen_ids: dict[str, str] = {}
    seen_bodies: dict[str, str] = {}
    for source in sources:
        for origin, docs, failures in _load_one_source(source, max_bytes, timeout_s, result):
            result.failures.extend(failures)
            for doc in docs:
                _accept_unique(doc, origin, result, seen_ids, seen_bodies)
    return result


def _load_one_source(
    source: str | Path, max_bytes: int, timeout_s: float, result: LoadResult
) -> Iterator[tuple[str, list[Document], list[LoadFailure]]]:
    if isinstance(source, str) and is_url(source):
        try:
            yield source, [load_url(source, timeout_s, max_bytes)], []
        except ArticleLoadError as err:
            result.failed_origins.add(source)
            yield source, [], [LoadFailure(source, str(err))]
        return
    # Absolute from here on: an article's origin names its file wherever a later build, the app
    # or the publishing API runs from (a relative one was resolved against whatever directory
    # that was: another file could take the id, or a build elsewhere prune it).
    root = Path(source).resolve()
    if not root.exists():
        result.failed_origins.add(str(root))
        yield str(root), [], [LoadFailure(str(root), "no such file or folder")]
        return
    for path in iter_source_files(root):
        try:
            docs, failures = load_file(path, max_bytes)
        except (ArticleLoadError, OSError) as err:
            docs, failures = [], [LoadFailure(str(path), str(err))]
        if failures:
            result.failed_origins.add(str(path))
        yield str(path), docs, failures


def _accept_unique(
    doc: Document, origin: str, result: LoadResult, seen_ids: dict[str, str], seen_bodies: dict[str, str]
) -> None:
    """Keep the first of two sources that hold the same article (same id or same text)."""
    meta = doc.metadata
    first = seen_ids.get(meta["article_id"]) or seen_bodies.get(meta["content_hash"])
    if first is not None:
        kind = "article id" if meta["article_id"] in seen_ids else "text"
        result.failures.append(LoadFailure(meta["origin"], f"duplicate article: same {kind} as {first}"))
        result.failed_origins.add(origin)
        return
    seen_ids[meta["article_id"]] = meta["origin"]
    seen_bodies[meta["content_hash"]] = meta["origin"]
    result.documents.append(doc)
