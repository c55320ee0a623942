"""Fetch a URL within a deadline and a size limit, retrying politely when the server says it is busy."""

from __future__ import annotations

import http.client
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable

from generator.importers.batch import Pacer

USER_AGENT = "dailypapers (https://github.com/; static paper digest generator)"
RETRY_STATUSES = {429, 500, 502, 503, 504}  # busy, or a passing fault of the server
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 5
MAX_BYTES = 32 * 2**20  # an answer larger than this is no paper metadata (a day of Hugging Face is ~0.5 MB)
MAX_RETRY_WAIT = 60.0  # seconds a service may ask to be left alone before a retry; longer is refused


class FetchError(Exception):
    """The service could not be reached or did not give a usable answer."""


class PassingFault(FetchError):
    """A try that failed in a way the next try may not: no answer in time, a connection dropped."""


def is_http_url(url: str) -> bool:
    try:
        parts = urllib.parse.urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # such as an unclosed [ of an IPv6 address, or a port that is no number
        return False


def fetch(url: str, *, timeout: float = 20.0, retries: int = 3, backoff: float = 2.0,
          sleep: Callable[[float], None] = time.sleep, max_bytes: int = MAX_BYTES,
          waiting: Callable[[str], None] | None = None, pacer: Pacer | None = None) -> bytes:
    """Return the body of a GET request, each try answered whole within `timeout` seconds and
    `max_bytes`; retry 429 and 5xx faults with growing waits (or the wait the service asks, when at most
    a minute, said through `waiting`), then give up clearly. A `pacer` spaces every try, retries
    too, at the service's pace."""
    if not is_http_url(url):
        raise FetchError(f"{url} is not an http:// or https:// address")
    for attempt in range(retries + 1):
        if pacer:
            pacer.wait()
        try:
            status, reason, retry_after, body = get(url, timeout, max_bytes)
        except PassingFault as fault:
            if attempt == retries:
                raise FetchError(f"{fault} ({retries + 1} tries)") from None
            wait = backoff * (2 ** attempt)
            if waiting:
                waiting(f"{fault}; trying again in {wait:g} s")
            sleep(wait)
            continue
        finally:
            if pacer:
                pacer.done()
        if status == 200:
            return body
        if status in RETRY_STATUSES and attempt < retries:
            if retry_after is not None and retry_after > MAX_RETRY_WAIT:
                raise FetchError(f"{url} answered {status} and asks to wait {retry_after:g} seconds; run the "
                                 "command again later")
            wait = retry_after if retry_after is not None else backoff * (2 ** attempt)
            if waiting:
                waiting(f"{url} answered {status} ({'busy' if status in (429, 503) else 'server error'}); "
                        f"trying again in {wait:g} s")
            sleep(wait)
            continue
        if status in RETRY_STATUSES:
            why = "too many requests" if status == 429 else f"{reason or 'server error'}".strip()
            raise FetchError(f"{url} kept answering {status} ({why}) after {retries + 1} tries; wait a while "
                             "and run the command again")
        raise FetchError(f"{url} answered {status} {reason}".rstrip())
    raise FetchError(f"{url}: no answer")  # not reached


def get(url: str, timeout: float, max_bytes: int) -> tuple[int, str, float | None, bytes]:
    """One GET, following redirects to http(s) addresses: (status, reason, Retry-After, body)."""
    for _ in range(MAX_REDIRECTS + 1):
        status, reason, headers, body = get_once(url, timeout, max_bytes)
        if status not in REDIRECT_STATUSES:
            return status, reason, retry_after(headers.get("Retry-After")), body
        try:
            target = urllib.parse.urljoin(url, headers.get("Location") or "")
        except ValueError:
            target = headers.get("Location") or ""
        if not is_http_url(target):
            raise FetchError(f"{url} redirects to {target!r}, which is not an http(s) address")
        url = target
    raise FetchError(f"{url} redirects more than {MAX_REDIRECTS} times")


def get_once(url: str, timeout: float, max_bytes: int) -> tuple[int, str, http.client.HTTPMessage, bytes]:
    """One request, stopped at the deadline however slowly the server sends (a watchdog shuts the
    socket: a socket timeout bounds only each read)."""
    parts = urllib.parse.urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    try:
        connection = kind(parts.hostname, parts.port, timeout=timeout)
    except ValueError as error:
        raise FetchError(f"cannot reach {url}: {error}") from None
    late = threading.Event()

    def stop() -> None:
        late.set()
        if connection.sock is not None:
            try:  # the plain socket's shutdown, even under TLS: the TLS object stays for the reader
                socket.socket.shutdown(connection.sock, socket.SHUT_RDWR)
            except OSError:
                pass

    watchdog = threading.Timer(timeout, stop)
    watchdog.daemon = True
    watchdog.start()
    try:
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", target, headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"})
        if late.is_set():  # the deadline passed while connecting, before there was a socket to stop
            raise TimeoutError
        response = connection.getresponse()
        length = response.getheader("Content-Length", "").strip()
        announced = int(length) if length.isascii() and length.isdigit() else None
        if announced is not None and announced > max_bytes:
            raise FetchError(f"{url} answered with {announced} bytes; more than {max_bytes} is no answer of ours")
        body = response.read(max_bytes + 1)
        if len(body) > max_bytes:
            raise FetchError(f"{url} answered with more than {max_bytes} bytes; that is no answer of ours")
        if late.is_set():
            raise TimeoutError
        if announced is not None and len(body) != announced:
            raise FetchError(f"{url} gave a broken answer (cut short: {len(body)} of {announced} bytes)")
        return response.status, response.reason, response.headers, body
    # ValueError: a host name no lookup takes, such as a..b. Once the watchdog has shut the socket,
    # whatever the reading then met is the deadline's doing.
    except (http.client.HTTPException, OSError, ValueError) as error:
        if late.is_set() or isinstance(error, TimeoutError):
            raise PassingFault(f"{url} did not answer within {timeout:g} seconds") from None
        if isinstance(error, (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected)):
            raise PassingFault(f"{url} dropped the connection before answering") from None
        if isinstance(error, http.client.HTTPException):
            raise FetchError(f"{url} gave a broken answer ({type(error).__name__}: {error})") from None
        raise FetchError(f"cannot reach {url}: {getattr(error, 'strerror', None) or error}") from None
    finally:
        watchdog.cancel()
        connection.close()


def retry_after(value: str | None) -> float | None:
    """The wait a Retry-After header asks, in seconds, when given as a number of seconds."""
    if value and value.strip().isascii() and value.strip().isdigit():
        return float(value.strip())
    return None
