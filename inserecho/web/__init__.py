"""The web: the live preview served on 127.0.0.1 while the officer writes, and the static
archive site (index, one page per issue, Atom feed, the "en cours" pages)."""
