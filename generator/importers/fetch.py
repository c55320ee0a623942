"""Fetch a URL with a timeout, retrying politely when the server says it is busy."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable

USER_AGENT = "dailypapers (https://github.com/; static paper digest generator)"
RETRY_STATUSES = {429, 503}


class FetchError(Exception):
    """The service could not be reached or did not give a usable answer."""


def fetch(url: str, *, timeout: float = 20.0, retries: int = 3, backoff: float = 2.0,
          sleep: Callable[[float], None] = time.sleep) -> bytes:
    """Return the body of a GET request; retry 429 and 503 with growing waits, then give up clearly."""
    for attempt in range(retries + 1):
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http(s) only)
                return response.read()
        except urllib.error.HTTPError as error:
            if error.code in RETRY_STATUSES and attempt < retries:
                wait = retry_after(error) or backoff * (2 ** attempt)
                sleep(wait)
                continue
            if error.code in RETRY_STATUSES:
                raise FetchError(f"{url} kept answering {error.code} (too many requests) after "
                                 f"{retries + 1} tries; wait a while and run the command again") from None
            raise FetchError(f"{url} answered {error.code} {error.reason}") from None
        except TimeoutError:
            raise FetchError(f"{url} did not answer within {timeout:g} seconds") from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise FetchError(f"{url} did not answer within {timeout:g} seconds") from None
            raise FetchError(f"cannot reach {url}: {error.reason}") from None
        except OSError as error:
            raise FetchError(f"cannot reach {url}: {error}") from None
    raise FetchError(f"{url}: no answer")  # not reached


def retry_after(error: urllib.error.HTTPError) -> float | None:
    """Honour a Retry-After header given in seconds, capped at a minute."""
    value = error.headers.get("Retry-After") if error.headers else None
    if value and value.strip().isdigit():
        return min(float(value), 60.0)
    return None
