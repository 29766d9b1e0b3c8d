"""Reading a newsletter folder: text and YAML files with line numbers, front matter,
section specifications, field checks, and the loader that turns an issue folder into a
validated :class:`Issue` (items grouped into sections) or a list of problems with file
and line."""

from inserecho.content.loader import load_issue
from inserecho.content.model import Issue, IssueMeta, Item, Link, SectionItems

__all__ = ["Issue", "IssueMeta", "Item", "Link", "SectionItems", "load_issue"]
