"""The web: the live preview served on 127.0.0.1 while the officer writes, the static
archive site (index, one page per issue, Atom feed, the "en cours" pages), and the
readers' side (one-click unsubscribe, sign-up), a WSGI application holding no data.

``inserecho.web:application`` is that application configured from the environment
(see :func:`inserecho.web.app.config_from_environment`), for any WSGI host. It is
built on first access, so importing this package loads neither the preview's file
watcher nor the SMTP client.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "application":
        from inserecho.problems import UserError
        from inserecho.web.app import ReadersSite, config_from_environment, smtp_mailer

        try:
            config, relay = config_from_environment()
        except (ValueError, UserError) as error:
            raise RuntimeError(f"inserecho.web:application : {error}") from None
        application = ReadersSite(config, smtp_mailer(relay))
        globals()["application"] = application
        return application
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
