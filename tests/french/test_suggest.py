"""Suggestions for a mistyped name: the closest one, or the list to choose from."""

from inserecho.french.suggest import did_you_mean, french_list, setting_hint


def test_a_close_name_is_suggested_whatever_its_case():
    assert did_you_mean("Territoir", ["territory", "tags"]) == " (vouliez-vous dire « territory » ?)"
    assert did_you_mean("zzz", ["territory", "tags"]) == ""


def test_a_setting_hint_gives_the_close_name_or_every_one_in_the_order_given():
    assert setting_hint("labl", ("label", "fields", "cta")) == " (vouliez-vous dire « label » ?)"
    assert setting_hint("zzz", ("label", "fields", "cta")) == " ; les réglages possibles ici sont label, fields, cta"


def test_a_french_list_ends_with_ou():
    assert french_list(["a", "b", "c"]) == "« a », « b » ou « c »"
    assert french_list(["a"]) == "« a »"
