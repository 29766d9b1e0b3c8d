"""French typography on plain text and on HTML fragments."""

from __future__ import annotations

import pytest

from inserecho.french.typography import NBSP, NNBSP, typeset_html, typeset_text

RULES = [
    # colon: no-break space, replacing an ordinary one or inserted
    ("Date limite : 15 janvier", f"Date limite{NBSP}: 15 janvier"),
    ("Date limite: 15 janvier", f"Date limite{NBSP}: 15 janvier"),
    ("Contact :", f"Contact{NBSP}:"),
    ("les freins (logement) :\n- mobilité", f"les freins (logement){NBSP}:\n- mobilité"),
    # semicolon, exclamation and question marks: narrow no-break space
    ("présidente ; chaque territoire", f"présidente{NNBSP}; chaque territoire"),
    ("présidente; chaque territoire", f"présidente{NNBSP}; chaque territoire"),
    ("Attention!", f"Attention{NNBSP}!"),
    ("Merci à toutes !", f"Merci à toutes{NNBSP}!"),
    ("Pourquoi ?", f"Pourquoi{NNBSP}?"),
    ("Vraiment?! Oui!!", f"Vraiment{NNBSP}?! Oui{NNBSP}!!"),
    ("Déjà fait ?!", f"Déjà fait{NNBSP}?!"),
    (f"Bonjour{NBSP}!", f"Bonjour{NNBSP}!"),
    ("(vraiment?)", f"(vraiment{NNBSP}?)"),
    # guillemets from straight quotes, with no-break spaces inside
    ('Le programme "Relance-Transition" démarre', f"Le programme «{NBSP}Relance-Transition{NBSP}» démarre"),
    ('"Vraiment ?" dit-elle', f"«{NBSP}Vraiment{NNBSP}?{NBSP}» dit-elle"),
    ('("Inser\'Echo")', f"(«{NBSP}Inser’Echo{NBSP}»)"),
    ('" Bonjour "', f"«{NBSP}Bonjour{NBSP}»"),
    ('Il a dit "oui" : parfait', f"Il a dit «{NBSP}oui{NBSP}»{NBSP}: parfait"),
    # existing guillemets get their no-break spaces
    ("«Bonjour»", f"«{NBSP}Bonjour{NBSP}»"),
    ("« Bonjour »", f"«{NBSP}Bonjour{NBSP}»"),
    (f"«{NNBSP}Bonjour{NNBSP}»", f"«{NBSP}Bonjour{NBSP}»"),
    # typographic apostrophe between letters
    ("l'IAE", "l’IAE"),
    ("aujourd'hui", "aujourd’hui"),
    ("Paris Terres d'Envol", "Paris Terres d’Envol"),
    ("'entre apostrophes'", "'entre apostrophes'"),
    # units: no-break space before € (U+00A0) and % (U+202F), inserted after a digit
    ("jusqu'à 50 000 € par projet", f"jusqu’à 50{NNBSP}000{NNBSP}€ par projet"),
    ("500€", f"500{NNBSP}€"),
    ("64 % des personnes", f"64{NNBSP}% des personnes"),
    ("100%", f"100{NNBSP}%"),
    # numbers keep their digit groups together (U+202F), whatever space was typed
    ("30 000 € par structure", f"30{NNBSP}000{NNBSP}€ par structure"),
    ("1 200 personnes", f"1{NNBSP}200 personnes"),
    ("4 600 salarié·e·s", f"4{NNBSP}600 salarié·e·s"),
    (f"1{NBSP}234 567,50 €", f"1{NNBSP}234{NNBSP}567,50{NNBSP}€"),
    # times never split
    ("de 9 h à 17 h 30", f"de 9{NBSP}h à 17{NBSP}h{NBSP}30"),
    ("Rendez-vous à 14 h.", f"Rendez-vous à 14{NBSP}h."),
    # ellipsis, and English curly quotes pasted from Word
    ("Et ensuite...", "Et ensuite…"),
    ("“Relance-Transition”", f"«{NBSP}Relance-Transition{NBSP}»"),
    ("le programme “ Relance ” démarre", f"le programme «{NBSP}Relance{NBSP}» démarre"),
    # invisible characters left by a paste go
    ("Seine-\u00adSaint-\u200bDenis", "Seine-Saint-Denis"),
    ("\ufeffBonjour\u2060 à tous", "Bonjour à tous"),
    # numbering: the number never leaves its sign
    ("Inser'Echo n° 42", f"Inser’Echo n°{NBSP}42"),
    ("N° 7 du mois", f"N°{NBSP}7 du mois"),
]

UNTOUCHED = [
    "n°42",
    "un° 5",
    "https://inser-eco93.example.org/page?a=1&b=2!",
    "http://exemple.fr/a:b;c",
    "www.inser-eco93.example.org/?q=oui",
    "Écrire à contact@inser-eco93.example.org",
    "prenom.nom+lettre@exemple.fr",
    "rendez-vous à 14:30 ou 14h30",
    # ISO dates, phone numbers, years next to numbers, four-dot runs
    "le 2026-12-03 à Bobigny",
    "Tél. 01 48 30 12 34 ou +33 1 48 30 12 34",
    "Numéro vert 0 800 123 456",
    "en 2026 200 personnes",
    "93000 Bobigny",
    "2 heures de route",
    "https://exemple.fr/a...b/30 000",
    "attendez....",
    "👩\u200d💻 et \u200c",
    "note:1 et ratio 3:2",
    "a;b",
    "index?id=3",
    "salarié·e·s, demandeur·se·s, acteur.rice.s, permanent·e·s",
    "__INSERECHO_GREETING__",
    "Bonjour __INSERECHO_FIRST_NAME__,",
    "AT&amp;T et &lt;b&gt; et &#123; et &nbsp;",
    ": au début de la ligne",
    "(: entre parenthèses",
    "Voir https://exemple.fr/faq?",
    "Écrire à contact@exemple.fr!",
    "",
]

PUNCTUATION_AFTER_URL = [
    ("Voir https://exemple.fr/?q=1 !", f"Voir https://exemple.fr/?q=1{NNBSP}!"),
    ("Le site (https://exemple.fr/a?b) : ici", f"Le site (https://exemple.fr/a?b){NBSP}: ici"),
    ("Écrivez à contact@exemple.fr : merci", f"Écrivez à contact@exemple.fr{NBSP}: merci"),
]


@pytest.mark.parametrize(("text", "expected"), RULES + PUNCTUATION_AFTER_URL)
def test_typeset_text_applies_french_rules(text: str, expected: str) -> None:
    assert typeset_text(text) == expected


@pytest.mark.parametrize("text", UNTOUCHED)
def test_typeset_text_leaves_urls_emails_times_and_tokens_alone(text: str) -> None:
    assert typeset_text(text) == text


@pytest.mark.parametrize("text", [text for text, _ in RULES] + UNTOUCHED)
def test_typeset_text_is_idempotent(text: str) -> None:
    once = typeset_text(text)
    assert typeset_text(once) == once


def test_realistic_paragraph() -> None:
    text = (
        "Le conseil d'administration accueille quatre membres. "
        "Claire Moreau-Diallo est réélue présidente ; chaque territoire garde son vice-président·e :\n"
        '- Est Ensemble : Mehdi Sabri (ACI "Les Jardins du Canal")\n'
        "La fondation finance jusqu'à 50 000 € par projet ! Dossier : https://exemple.fr/appel?id=3"
    )
    assert typeset_text(text) == (
        "Le conseil d’administration accueille quatre membres. "
        f"Claire Moreau-Diallo est réélue présidente{NNBSP}; chaque territoire garde son vice-président·e{NBSP}:\n"
        f"- Est Ensemble{NBSP}: Mehdi Sabri (ACI «{NBSP}Les Jardins du Canal{NBSP}»)\n"
        f"La fondation finance jusqu’à 50{NNBSP}000{NNBSP}€ par projet{NNBSP}! Dossier{NBSP}: https://exemple.fr/appel?id=3"
    )


HTML = [
    # rules apply to text nodes
    ("<p>Attention!</p>", f"<p>Attention{NNBSP}!</p>"),
    # and see across inline tags
    ("<p><strong>Date limite</strong>: 15 janvier</p>", f"<p><strong>Date limite</strong>{NBSP}: 15 janvier</p>"),
    ("<p><strong>Date limite :</strong> 15 janvier</p>", f"<p><strong>Date limite{NBSP}:</strong> 15 janvier</p>"),
    ('<p>Le "<em>Fonds</em>" est ouvert</p>', f"<p>Le «{NBSP}<em>Fonds</em>{NBSP}» est ouvert</p>"),
    ("<p><em>l</em>'IAE</p>", "<p><em>l</em>’IAE</p>"),
    # but not across blocks: a colon ending a paragraph is still at its end
    ("<li>Contact :</li><li>: seul</li>", f"<li>Contact{NBSP}:</li><li>: seul</li>"),
    # attributes and tag internals are never touched
    (
        '<a href="https://exemple.fr/?a=1&amp;b=2" title="Voir : ici !">le site</a> !',
        f'<a href="https://exemple.fr/?a=1&amp;b=2" title="Voir : ici !">le site</a>{NNBSP}!',
    ),
    ('<img alt="Illustration : le réseau" src="a.png">', '<img alt="Illustration : le réseau" src="a.png">'),
    # autolinked URL text stays as is
    ('<a href="https://exemple.fr/?q=oui!">https://exemple.fr/?q=oui!</a>', None),
    # numbers, times and ellipses too, never in attributes or code
    (
        "<p>Budget : 30 000 € <code>x = 1 200...</code></p>",
        f"<p>Budget{NBSP}: 30{NNBSP}000{NNBSP}€ <code>x = 1 200...</code></p>",
    ),
    (
        '<a title="de 9 h à 17 h..." href="https://exemple.fr/?n=1 200">9 h...</a>',
        f'<a title="de 9 h à 17 h..." href="https://exemple.fr/?n=1 200">9{NBSP}h…</a>',
    ),
    # code, pre, kbd, samp, script, style, comments stay byte for byte
    (
        "<p>Tapez <code>inserecho send : --test 'a'</code> !</p>",
        f"<p>Tapez <code>inserecho send : --test 'a'</code>{NNBSP}!</p>",
    ),
    ('<pre><code>x = "oui" ; y : z !</code></pre>', None),
    ("<p><kbd>Ctrl ; C</kbd> et <samp>Erreur : rien</samp></p>", None),
    ('<script>if (a < b) { x = "oui !"; }</script>', None),
    ("<style>p { color: red; } a:hover { x: y ; }</style>", None),
    ("<!-- note : à revoir ! -->", None),
    ('<!--[if mso]><table style="a : b"><tr><td>x : y</td></tr></table><![endif]-->', None),
    # entities: &amp; &lt; &gt; stay encoded and never get a space before their ";"
    ("<p>AT&amp;T; R&amp;D</p>", f"<p>AT&amp;T{NNBSP}; R&amp;D</p>"),
    ("<p>a &lt; b &gt; c</p>", None),
    # other entities are decoded so that the rules see the characters
    ("<p>l&#39;IAE</p>", "<p>l’IAE</p>"),
    ("<p>&quot;Oui&quot; &#34;non&#34;</p>", f"<p>«{NBSP}Oui{NBSP}» «{NBSP}non{NBSP}»</p>"),
    ("<p>Bonjour&nbsp;!</p>", f"<p>Bonjour{NNBSP}!</p>"),
    # inclusive forms and placeholders pass through
    ("<p>salarié·e·s, acteur.rice.s</p>", None),
    ('<p>Bonjour __INSERECHO_GREETING__,</p><a href="__INSERECHO_UNSUBSCRIBE__">Se désabonner</a>', None),
]


@pytest.mark.parametrize(("fragment", "expected"), HTML)
def test_typeset_html_touches_text_nodes_only(fragment: str, expected: str | None) -> None:
    assert typeset_html(fragment) == (fragment if expected is None else expected)


@pytest.mark.parametrize("fragment", [fragment for fragment, _ in HTML])
def test_typeset_html_is_idempotent(fragment: str) -> None:
    once = typeset_html(fragment)
    assert typeset_html(once) == once


def test_typeset_html_on_a_rendered_item() -> None:
    fragment = (
        '<table role="presentation" width="600"><tr><td style="padding: 8px">\n'
        "<h2>Observatoire de l&#39;IAE : les chiffres clés</h2>\n"
        "<p>64 % des personnes ont trouvé un emploi. Les freins : logement, mobilité.</p>\n"
        "<p>Merci à toutes les structures ! "
        '<a href="https://exemple.org/synthese.pdf?v=2">Téléchargez la synthèse</a> : '
        "<code>synthese.pdf</code>.</p>\n"
        "</td></tr></table>"
    )
    assert typeset_html(fragment) == (
        '<table role="presentation" width="600"><tr><td style="padding: 8px">\n'
        f"<h2>Observatoire de l’IAE{NBSP}: les chiffres clés</h2>\n"
        f"<p>64{NNBSP}% des personnes ont trouvé un emploi. Les freins{NBSP}: logement, mobilité.</p>\n"
        f"<p>Merci à toutes les structures{NNBSP}! "
        f'<a href="https://exemple.org/synthese.pdf?v=2">Téléchargez la synthèse</a>{NBSP}: '
        "<code>synthese.pdf</code>.</p>\n"
        "</td></tr></table>"
    )


def test_typeset_html_of_plain_text_matches_typeset_text() -> None:
    text = "Attention : l'appel \"Mobilité\" ferme le 15 janvier !"
    assert typeset_html(text) == typeset_text(text)
