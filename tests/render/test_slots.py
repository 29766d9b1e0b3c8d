"""Markers left in the rendered issue and filled per recipient without re-rendering."""

from __future__ import annotations

from inserecho.render import slots


def test_markers_are_distinct_and_recognisable():
    assert len(set(slots.ALL)) == 3
    assert all(marker.startswith("__INSERECHO_") and marker.endswith("__") for marker in slots.ALL)


def test_greeting_with_or_without_a_name():
    assert slots.greeting("Marie Dupont") == "Bonjour Marie Dupont,"
    assert slots.greeting("  Marie  ") == "Bonjour Marie,"
    assert slots.greeting(None) == "Bonjour,"
    assert slots.greeting("   ") == "Bonjour,"


def test_filling_html_escapes_values_even_inside_attributes():
    template = (f'<p>{slots.GREETING}</p><a href="{slots.UNSUBSCRIBE_URL}">Se désinscrire</a>'
                f'<img src="{slots.ASSETS}/images/ag.png">')

    html = slots.fill_html(template, {
        slots.GREETING: slots.greeting('Léa "<Admin>" & co'),
        slots.UNSUBSCRIBE_URL: "https://example.org/d?t=a&u=b",
        slots.ASSETS: ".",
    })

    assert html == (
        "<p>Bonjour Léa &quot;&lt;Admin&gt;&quot; &amp; co,</p>"
        '<a href="https://example.org/d?t=a&amp;u=b">Se désinscrire</a><img src="./images/ag.png">'
    )


def test_filling_text_leaves_values_as_they_are():
    template = f"{slots.GREETING}\n\nSe désinscrire : {slots.UNSUBSCRIBE_URL}\n"

    text = slots.fill_text(template, {slots.GREETING: "Bonjour Léa & co,", slots.UNSUBSCRIBE_URL: "https://example.org/d?t=a&u=b"})

    assert text == "Bonjour Léa & co,\n\nSe désinscrire : https://example.org/d?t=a&u=b\n"


def test_every_occurrence_is_filled_and_unknown_markers_are_left_alone():
    template = f"{slots.GREETING} {slots.GREETING} {slots.ASSETS}"

    assert slots.fill_text(template, {slots.GREETING: "Bonjour,"}) == f"Bonjour, Bonjour, {slots.ASSETS}"
