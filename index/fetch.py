"""Every outbound HTTP request of the project: one polite, capped, address-checked fetcher.

Used by feeds (``index.feeds``: the feed and each item's page) and by ``index build URL``
(``index.loaders.load_url``). For each request, and for each redirect hop on its own:
- the hop must stay on the site asked for (``same_site``) and robots.txt must allow it
  (fetched once per host, a 4xx meaning no rules, a 5xx or a timeout meaning "not now");
- a private, loopback, link-local or reserved address is refused unless the site asked for is
  itself one (an intranet CMS given by its operator) — and the address checked is the one
  connected to: names are resolved once, in the connection itself (``_PinnedBackend``), so a
  DNS answer that changes between a check and the connection (rebinding) cannot slip through;
- one request at a time per host, ``host_delay_s`` apart; a timeout on each read and a total
  deadline; a size cap applied while reading; gzip only, inflated here under the same cap
  (brotli or zstd could expand a small body into gigabytes before any check).
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
import urllib.robotparser
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx


@dataclass(frozen=True)
class FetchConfig:
    """Initial choices, not tuned."""

    timeout_s: float = 10.0  # each request: connect, and each read
    deadline_s: float = 30.0  # each request, in all (a server that drips bytes)
    max_redirects: int = 5
    host_delay_s: float = 1.0  # between two requests to one host
    user_agent: str = "newsbot/1.0"


class FetchError(Exception):
    """A request that did not give a usable answer (its message is shown as the reason)."""


@dataclass(frozen=True)
class Fetched:
    status: int
    url: str  # after redirects
    headers: dict[str, str]
    body: bytes

    def text(self) -> str:
        charset = ""
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.strip().partition("=")
            charset = value.strip('"') if key.lower() == "charset" else charset
        try:
            return self.body.decode(charset or "utf-8")
        except (LookupError, UnicodeDecodeError):
            return self.body.decode("latin-1")  # every byte is a character: never fails


REDIRECTS = (301, 302, 303, 307, 308)
# What a request can fail with below the HTTP answer (httpx's, and httpcore's from the pinned
# transport, which does not translate them): each a reason to report, never a crash.
_TRANSPORT_ERRORS = (
    httpx.HTTPError,
    httpx.InvalidURL,
    httpcore.ConnectError,
    httpcore.NetworkError,
    httpcore.ProtocolError,
    ssl.SSLError,
    ValueError,
)


class Fetcher:
    """Polite, guarded HTTP GETs (see the module's docstring). ``get(url, site=feed)``: every
    hop, redirects included, must stay on ``site``, be allowed by robots.txt and not connect to
    a private or local address unless ``site``'s own host is one."""

    def __init__(self, config: FetchConfig = FetchConfig()) -> None:
        self.config = config
        self._clients: dict[bool, httpx.Client] = {}  # allow private addresses → its client
        self._last: dict[str, float] = {}  # host → when it was last asked
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}

    def forget_robots(self) -> None:
        self._robots.clear()

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def get(self, url: str, headers: dict[str, str], max_bytes: int, site: str | None = None) -> Fetched:
        """GET ``url`` as seen from ``site`` (a feed's URL; default: ``url`` itself)."""
        site = site or url
        local = is_private(site)  # an intranet site, given by its operator: its addresses are fine
        deadline = time.monotonic() + self.config.deadline_s  # for all the hops together
        for _ in range(self.config.max_redirects + 1):
            self._check(url, site, local)
            self._wait_for(url)
            try:
                found = self._one(url, headers, max_bytes, deadline, local)
            except (httpx.TimeoutException, httpcore.TimeoutException) as err:
                raise FetchError(f"timed out after {self.config.timeout_s:g} s") from err
            except PrivateAddressError as err:
                raise FetchError(str(err)) from err
            except _TRANSPORT_ERRORS as err:
                raise FetchError(f"could not fetch: {err}") from err
            if found.status in REDIRECTS and "location" in found.headers:
                try:
                    url = urljoin(url, found.headers["location"])
                except ValueError as err:
                    raise FetchError(f"a bad redirect: {err}") from err
                continue
            return found
        raise FetchError(f"more than {self.config.max_redirects} redirects")

    def _check(self, url: str, site: str, local: bool) -> None:
        if not same_site(url, site):
            raise FetchError(f"not on the site asked for: {url}")
        if not local and is_private(url):  # fails early, with a clear reason; the pin enforces it
            raise FetchError(f"a private or local address: {url}")
        if not self._allowed(url, local):
            raise FetchError("disallowed by robots.txt")

    def _allowed(self, url: str, local: bool) -> bool:
        parts = urlsplit(url)
        host = f"{parts.scheme}://{parts.netloc}"
        if host not in self._robots:
            self._robots[host] = self._read_robots(host, local)
        rules = self._robots[host]
        if rules is None:
            raise FetchError("robots.txt could not be read; trying again later")
        return rules.can_fetch(self.config.user_agent, url)

    def _read_robots(self, host: str, local: bool) -> urllib.robotparser.RobotFileParser | None:
        rules = urllib.robotparser.RobotFileParser()
        self._wait_for(host)
        try:
            deadline = time.monotonic() + self.config.deadline_s
            found = self._one(f"{host}/robots.txt", {}, 500_000, deadline, local)
        except (FetchError, PrivateAddressError, *_TRANSPORT_ERRORS):  # "not now", never a crash
            return None
        if found.status in REDIRECTS or 400 <= found.status < 500:
            rules.parse([])  # no rules here (a redirected robots.txt is not followed)
        elif found.status >= 500:
            return None
        else:
            rules.parse(found.text().splitlines())
        return rules

    def _client(self, local: bool) -> httpx.Client:
        if local not in self._clients:
            self._clients[local] = httpx.Client(
                transport=_PinnedTransport(allow_private=local),
                timeout=self.config.timeout_s,
                follow_redirects=False,  # each hop is checked here
                headers={"User-Agent": self.config.user_agent, "Accept-Encoding": "gzip"},
            )
        return self._clients[local]

    def _one(
        self, url: str, headers: dict[str, str], max_bytes: int, deadline: float, local: bool
    ) -> Fetched:
        with self._client(local).stream("GET", url, headers=headers) as response:
            encoding = response.headers.get("content-encoding", "identity").lower()
            if encoding not in ("identity", "gzip"):
                raise FetchError(f"an encoding not asked for: {encoding}")
            inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if encoding == "gzip" else None
            body = bytearray()
            for raw in response.iter_raw():
                body.extend(inflate.decompress(raw, max_bytes + 1 - len(body)) if inflate else raw)
                if len(body) > max_bytes:
                    raise FetchError(f"larger than {max_bytes / 1e6:g} MB")
                if time.monotonic() > deadline:
                    raise FetchError(f"not received within {self.config.deadline_s:g} s")
            return Fetched(response.status_code, str(response.url), dict(response.headers), bytes(body))

    def _wait_for(self, url: str) -> None:
        host = urlsplit(url).netloc
        wait = self._last.get(host, 0.0) + self.config.host_delay_s - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last[host] = time.monotonic()


def _not_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", maxsplit=1)[0])
    return ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast


def is_private(url: str) -> bool:
    """Whether the URL's host is, or resolves to, a private, loopback, link-local or reserved
    address (an unresolvable host counts as not public)."""
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None)
    except (OSError, UnicodeError):
        return True
    return any(_not_public(str(info[4][0])) for info in infos)


# --- the pinned connection ------------------------------------------------------------------


class PrivateAddressError(Exception):
    """A connection that would reach a private or local address (raised inside the transport)."""


class _PinnedBackend(httpcore.NetworkBackend):
    """httpcore's network backend, resolving each host itself: the addresses checked are the
    addresses connected to (TLS still verifies the certificate against the host name, which
    httpcore passes on separately as the server name)."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> Any:
        addresses = self._addresses(host, port)
        error: Exception | None = None
        for address in addresses:  # as a browser would: the next address when one fails
            try:
                return self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout, OSError) as err:
                error = err
        assert error is not None
        raise error

    def _addresses(self, host: str, port: int) -> list[str]:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as err:
            raise httpcore.ConnectError(f"cannot resolve {host}: {err}") from err
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not self.allow_private and any(_not_public(a) for a in addresses):
            raise PrivateAddressError(f"a private or local address: {host}")
        return addresses

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None) -> Any:
        raise httpcore.ConnectError("no unix sockets here")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _Body(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        yield from self._stream

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


class _PinnedTransport(httpx.BaseTransport):
    """httpx's transport over an httpcore pool on the pinned backend (no proxies: every request
    goes straight to the checked address). httpcore's errors reach ``Fetcher.get`` as they are."""

    def __init__(self, allow_private: bool) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(), network_backend=_PinnedBackend(allow_private)
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = httpcore.URL(
            scheme=request.url.raw_scheme,
            host=request.url.raw_host,
            port=request.url.port,
            target=request.url.raw_path,
        )
        sent = httpcore.Request(
            method=request.method,
            url=url,
            headers=request.headers.raw,
            content=request.stream,  # type: ignore[arg-type]  # a GET's empty body
            extensions=request.extensions,
        )
        got = self._pool.handle_request(sent)
        return httpx.Response(
            status_code=got.status,
            headers=got.headers,
            stream=_Body(got.stream),  # type: ignore[arg-type]
            extensions=got.extensions,
        )

    def close(self) -> None:
        self._pool.close()


# --- sites ----------------------------------------------------------------------------------


def same_site(url: str, site: str) -> bool:
    """The same host and port, or hosts under the same registered domain (www.x.example and
    feeds.x.example; under a country's second level, x.co.uk). A heuristic: shared hosting
    domains (github.io and the like) count as one site."""
    try:
        link, home = urlsplit(url), urlsplit(site)
        ports = (link.port or _DEFAULT_PORT.get(link.scheme), home.port or _DEFAULT_PORT.get(home.scheme))
    except ValueError:
        return False  # an unreadable URL or port
    host, site_host = link.hostname or "", home.hostname or ""
    if link.scheme not in ("http", "https") or not host or ports[0] != ports[1]:
        return False
    if host == site_host:
        return True
    if _is_ip(host) or _is_ip(site_host) or "." not in host:
        return False  # addresses and bare names: only the very same one
    return _registered(host) == _registered(site_host)


_DEFAULT_PORT = {"http": 80, "https": 443}
_SECOND_LEVELS = {"co", "com", "org", "net", "gov", "ac", "edu", "ne", "or", "go"}  # co.uk, com.au, …


def _registered(host: str) -> tuple[str, ...]:
    labels = host.lower().split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVELS else 2
    return tuple(labels[-keep:])


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
