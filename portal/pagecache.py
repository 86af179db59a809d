"""A per-process cache of rendered pages, for the owner's landing when letters arrive.

When a campaign's letters land in letterboxes, thousands of owners scan their QR codes
within hours, and each lands on the same page shape: the DSFR layout around a few facts of
their letter. Rendering that layout costs more than everything else in the request, so the
page is rendered once per key and kept in memory; later requests only check that the key
still holds (one query, made by the caller) and swap in their own CSP nonce.

What a key must hold: everything the page shows. The caller builds it from the language and
the `updated_at` stamps of the rows the page reads, so any change to them (a new answer, a
collectivité's new contact, a revoked letter seen by the caller's query) makes a new key and
the old entry simply ages out of the LRU. Pages with anything else specific to the request
(form errors, a CSRF token, flashed messages) must not go through here; `render_cached`
renders without the cache when the session holds flashed messages.

The cache is per worker process and bounded (`PAGE_CACHE_SIZE` entries, 2,000 by default:
with pages of ~15 kB, at most ~30 MB per worker). It is off when templates auto-reload
(development) or when `PAGE_CACHE_SIZE` is 0.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import Flask, current_app, request, session

from portal.security import NONCE_KEY, csp_nonce

DEFAULT_SIZE = 2000


class PageCache:
    """A bounded least-recently-used map from keys to rendered pages."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._pages: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()
        # Rendered in place of the nonce, replaced by each request's own nonce.
        self.nonce_placeholder = "nonce-" + secrets.token_hex(16)
        self._placeholder_bytes = self.nonce_placeholder.encode()

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: Hashable, page: bytes) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def with_nonce(self, page: bytes, nonce: str) -> bytes:
        return page.replace(self._placeholder_bytes, nonce.encode())

    def __len__(self) -> int:
        return len(self._pages)


def init_page_cache(app: Flask) -> None:
    size = int(app.config.get("PAGE_CACHE_SIZE", DEFAULT_SIZE))
    enabled = size > 0 and not app.config.get("TEMPLATES_AUTO_RELOAD") and not app.debug
    app.extensions["page_cache"] = PageCache(size) if enabled else None


def render_cached(key: Hashable, render: Callable[[], str]) -> str | bytes:
    """The page for `key`, rendered by `render()` on a miss, with this request's nonce.

    Pages are kept encoded (UTF-8, as Flask sends them): a hit costs one bytes.replace."""
    cache: PageCache | None = current_app.extensions.get("page_cache")
    if cache is None or session.get("_flashes"):
        return render()
    page = cache.get(key)
    if page is None:
        environ = request.environ
        nonce = environ.get(NONCE_KEY)
        environ[NONCE_KEY] = cache.nonce_placeholder
        try:
            page = render().encode()
        finally:
            del environ[NONCE_KEY]
            if nonce is not None:
                environ[NONCE_KEY] = nonce
        cache.put(key, page)
    return cache.with_nonce(page, csp_nonce())
