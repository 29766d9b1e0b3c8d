"""Inline the email's CSS with premailer, keeping media queries in a ``<style>`` block."""

from __future__ import annotations

import logging

from premailer import Premailer

_BASIC_ATTRIBUTES = ["align", "valign", "bgcolor", "width", "height"]


def inline_css(html: str) -> str:
    """Return ``html`` with every rule that can be inlined moved into ``style`` attributes.

    Rules premailer cannot inline (``@media``, ``:hover``) stay in a ``<style>`` element,
    which is where mail clients that support them look. Premailer's "basic attributes"
    (``bgcolor``, ``width``, ``align``… copied from the CSS onto every element, ``<span>``
    and ``<img>`` included) are turned off: the template writes the few Outlook needs.
    """
    return Premailer(
        html,
        keep_style_tags=False,
        strip_important=False,  # the @media rules need !important to beat inline styles
        remove_classes=False,
        disable_validation=True,
        cssutils_logging_level=logging.CRITICAL,
        allow_network=False,
        disable_basic_attributes=_BASIC_ATTRIBUTES,
    ).transform(pretty_print=False)
