"""`ldpub serve`: the Flask app under gunicorn.

Sync workers, because a sync worker's timeout really kills a runaway request (a gthread
worker's does not); preload off, because the store must not be opened before the fork;
max_requests with jitter to recycle workers.
"""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from .config import Settings


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        options: dict[str, Any] = {
            "bind": f"{self.settings.host}:{self.settings.port}",
            "workers": self.settings.workers,
            "worker_class": "sync",
            "timeout": 30,
            "preload_app": False,
            "max_requests": 1000,
            "max_requests_jitter": 100,
            "accesslog": "-",
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self):  # type: ignore[no-untyped-def]
        from .web import create_app

        return create_app(self.settings)


def serve(settings: Settings) -> None:
    _Gunicorn(settings).run()
