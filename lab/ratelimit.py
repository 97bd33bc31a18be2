"""In-memory sliding-window limits keyed by pseudonymous client fingerprints."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import deque
from collections.abc import Callable


def client_address(request) -> str:
    """The caller's address as the server sees it (the proxy's client when `LAB_TRUSTED_PROXIES` names the proxy)."""
    return request.client.host if request.client else "unknown"


def fingerprint(secret: str, *parts: str) -> str:
    """Key a limit by client without keeping the raw IP address anywhere."""
    message = "\x1f".join(parts).encode("utf-8", "surrogatepass")  # a URL may carry bytes that are not UTF-8
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


class RateLimiter:
    """Allow at most `limit` hits per `window` seconds for each key."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.window = window
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> bool:
        """Record one attempt; False means the caller must answer 429."""
        now = self.clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            if len(self._hits) > 100_000:
                self._forget_idle(now)
            return True

    def retry_after(self, key: str) -> int:
        """Seconds until the oldest hit leaves the window, for the Retry-After header."""
        with self._lock:
            hits = self._hits.get(key)
            if not hits:
                return 0
            return max(1, int(hits[0] + self.window - self.clock()) + 1)

    def reset(self, key: str) -> None:
        """Forget a key, e.g. after a successful login."""
        with self._lock:
            self._hits.pop(key, None)

    def _forget_idle(self, now: float) -> None:
        """Bound memory under a flood of distinct keys."""
        for key in [k for k, h in self._hits.items() if not h or h[-1] <= now - self.window]:
            del self._hits[key]
