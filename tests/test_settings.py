"""Settings are data: the README documents every one, and environment and options resolve as stated."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from ld.config import SETTINGS, Settings, load_settings, settings_table_markdown

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_table_is_the_settings_table() -> None:
    text = README.read_text("utf-8")
    documented = text.split("<!-- settings:start -->\n")[1].split("<!-- settings:end -->")[0].strip()
    assert documented == settings_table_markdown()


def test_every_setting_has_a_field_with_the_same_default() -> None:
    defaults = {f.name: f.default for f in fields(Settings)}
    for s in SETTINGS:
        assert str(defaults[s.name]) == str(s.default), s.name


def test_options_override_environment_which_overrides_defaults() -> None:
    assert load_settings(environ={}).port == 8000
    assert load_settings(environ={"LDPUB_PORT": "9000"}).port == 9000
    assert load_settings({"port": 9100}, environ={"LDPUB_PORT": "9000"}).port == 9100


@pytest.mark.parametrize("base", ["http://x", "relative/", ""])
def test_base_must_be_absolute_and_end_in_slash(base: str) -> None:
    with pytest.raises(ValueError, match="base"):
        load_settings({"base": base}, environ={})


@pytest.mark.parametrize(
    ("text", "value"), [("1", True), ("True", True), (" yes", True), ("off", False), ("False", False)]
)
def test_switches_read_the_words_people_write(text: str, value: bool) -> None:
    assert load_settings(environ={"LDPUB_ACCESS_LOG": text}).access_log is value


def test_a_switch_refuses_what_it_cannot_read() -> None:
    with pytest.raises(ValueError, match="access_log must be one of"):
        load_settings(environ={"LDPUB_ACCESS_LOG": "sometimes"})
