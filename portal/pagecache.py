"""A per-process cache of rendered pages, for the owner's landing when letters arrive.

When a campaign's letters land in letterboxes, thousands of owners scan their QR codes
within hours, and each lands on the same page shape: the DSFR layout around a few facts of
their letter. Rendering that layout costs more than everything else in the request, so the
page is rendered once per key and kept in memory with placeholders for each owner's own
facts (`own`: their dwelling's address…); later requests only check that the key still
holds (one query, made by the caller), fill in their own facts, HTML-escaped as the
template would, and swap in their own CSP nonce. Measured by `bench/bench_pages.py`
(in-process, SQLite, same run, 2026-12-02): the landing takes 0.57–0.70 ms from the cache
against 3.7–4.0 ms rendered each time.

What a key holds is fixed here, as an allow-list (`PageKey`): the template, the language,
the collectivité and the campaign with their `updated_at` stamps, the owner's stage (not
started, started, submitted) and the wording of the page's texts (a page experiment's arm,
portal.experiments.exposure; "standard" without one: an arm is shared by every letter
drawn into it). Nothing from the request (no query string, no header) and nothing of the
owner goes into it, so no visitor can grow the cache or flush it, and any
change to those rows (a collectivité's new contact) makes a new key while the old entry
ages out of the LRU. The page is rendered only from what the key names and from the
placeholders this module fills: the render callable must read nothing of the owner's
letter (the landing renders from the collectivité alone), and the template must print `own`
values as plain text (`{{ value }}`, no filter that would change them). Pages with anything
else specific to the request (form errors, a CSRF token, flashed messages) must not go
through here; `render_cached` renders without the cache when the session holds flashed
messages.

The cache is per worker process and bounded (`PAGE_CACHE_SIZE` entries, 2,000 by default:
with pages of ~15 kB, at most ~30 MB per worker). It is off when templates auto-reload
(development) or when `PAGE_CACHE_SIZE` is 0.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import NamedTuple

from flask import Flask, current_app, request, session
from markupsafe import escape

from portal.security import NONCE_KEY, csp_nonce

DEFAULT_SIZE = 2000


NONCE = ""  # the hole for the request's nonce (the others are named by `own`'s names)


class PageKey(NamedTuple):
    """Everything a cached page may depend on, apart from the `own` values it is filled with."""

    template: str
    language: str
    collectivite_id: int
    collectivite_updated_at: datetime
    campaign_id: int
    campaign_updated_at: datetime
    stage: str
    variant: str = "standard"  # the page's wording (a page experiment's arm)


class Page(NamedTuple):
    """A cached page cut at its holes: `literals[0]`, hole 0, `literals[1]`, hole 1…"""

    literals: tuple[bytes, ...]
    holes: tuple[str, ...]

    def filled(self, values: dict[str, bytes]) -> bytes:
        pieces = [self.literals[0]]
        for hole, literal in zip(self.holes, self.literals[1:], strict=True):
            pieces.append(values[hole])
            pieces.append(literal)
        return b"".join(pieces)


class PageCache:
    """A bounded least-recently-used map from keys to rendered pages."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._pages: OrderedDict[PageKey, Page] = OrderedDict()
        self._lock = threading.Lock()
        # Rendered in place of the nonce, and of each `own` value.
        self.nonce_placeholder = "nonce-" + secrets.token_hex(16)
        self._slot_prefix = "slot" + secrets.token_hex(16)

    def placeholder(self, name: str) -> str:
        """What a page is rendered with in place of the `own` value `name`."""
        return f"{self._slot_prefix}{name}x"

    def cut(self, page: str, names: Iterable[str]) -> Page:
        """`page` (rendered with placeholders) cut at its placeholders."""
        holes_by_text = {self.nonce_placeholder: NONCE}
        holes_by_text |= {self.placeholder(name): name for name in names}
        pattern = "(" + "|".join(map(re.escape, holes_by_text)) + ")"
        pieces = re.split(pattern, page)  # literal, placeholder, literal…
        literals = tuple(piece.encode() for piece in pieces[0::2])
        return Page(literals, tuple(holes_by_text[piece] for piece in pieces[1::2]))

    def get(self, key: PageKey) -> Page | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: PageKey, page: Page) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def __len__(self) -> int:
        return len(self._pages)


def init_page_cache(app: Flask) -> None:
    size = int(app.config.get("PAGE_CACHE_SIZE", DEFAULT_SIZE))
    enabled = size > 0 and not app.config.get("TEMPLATES_AUTO_RELOAD") and not app.debug
    app.extensions["page_cache"] = PageCache(size) if enabled else None


def render_cached(
    key: PageKey, render: Callable[[dict[str, str]], str], own: dict[str, str] | None = None
) -> str | bytes:
    """The page for `key`, with this request's `own` values and CSP nonce.

    `render(values)` renders the page with `values` for `own`'s names: the cache calls it
    on a miss with placeholders, which it fills in on every request; without the cache, it
    gets the values themselves. Pages are kept encoded (UTF-8, as Flask sends them) and cut
    at their placeholders: a hit costs one join."""
    if not isinstance(key, PageKey):
        raise TypeError("a cached page is keyed by a PageKey")
    own = own or {}
    cache: PageCache | None = current_app.extensions.get("page_cache")
    if cache is None or session.get("_flashes"):
        return render(own)
    page = cache.get(key)
    if page is None:
        environ = request.environ
        nonce = environ.get(NONCE_KEY)
        environ[NONCE_KEY] = cache.nonce_placeholder
        try:
            rendered = render({name: cache.placeholder(name) for name in own})
        finally:
            del environ[NONCE_KEY]
            if nonce is not None:
                environ[NONCE_KEY] = nonce
        page = cache.cut(rendered, own)
        cache.put(key, page)
    values = {name: escape(value).encode() for name, value in own.items()}
    values[NONCE] = csp_nonce().encode()
    return page.filled(values)
