"""Every string we show has a Chinese translation, and templates hold no text outside the translation tags.

The source is read without GNU gettext (Python's own parser and Django's template reader), so that this
runs on a machine without it.
"""

import ast
import gettext
import re
from pathlib import Path

import polib
import pytest
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
SOURCES = [ROOT / "outreach", ROOT / "accounts"]
TEMPLATES = ROOT / "templates"
CALLS = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy", "npgettext"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")
# Placeholders a translation may use though the English does not (see account_phrase and months_span in
# outreach/dashboard.py: 1–3月 writes months as numbers where English names them).
EXTRA_PLACEHOLDERS = {"organisation", "number", "first_number", "last_number"}


def python_messages() -> set[tuple[str, str]]:
    messages = set()
    for folder in SOURCES:
        for path in folder.rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                if name not in CALLS:
                    continue
                strings = [
                    arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                ]
                if name.startswith(("pgettext", "npgettext")) and len(strings) >= 2:
                    messages.add((strings[0], strings[1]))
                elif strings:
                    messages.add(("", strings[0]))
    return messages


LITERAL = r"u'(?:[^'\\]|\\.)*'"
TEMPLATE_CALL = re.compile(rf"\b(gettext|ngettext|pgettext|npgettext)\(({LITERAL}(?:\s*,\s*{LITERAL})*)")


def template_messages() -> set[tuple[str, str]]:
    messages = set()
    for path in TEMPLATES.rglob("*.html"):
        for function, arguments in TEMPLATE_CALL.findall(templatize(path.read_text(encoding="utf-8"))):
            strings = [ast.literal_eval(literal) for literal in re.findall(LITERAL, arguments)]
            messages.add(
                (strings[0], strings[1]) if function.startswith(("pgettext", "npgettext")) else ("", strings[0])
            )
    return messages


@pytest.fixture(scope="module")
def catalog():
    return polib.pofile(str(CATALOG))


def test_every_string_we_show_has_a_chinese_translation(catalog):
    translated = {(entry.msgctxt or "", entry.msgid) for entry in catalog.translated_entries() if not entry.fuzzy}
    source = python_messages() | template_messages()
    assert len(source) > 200, "the extraction found too little: is it reading the source?"

    missing = sorted(message for message in source if message not in translated)

    assert missing == [], "run `make messages` and translate these in locale/zh_Hans/LC_MESSAGES/django.po"


def test_translations_keep_their_placeholders(catalog):
    wrong = []
    for entry in catalog.translated_entries():
        allowed = {
            a or b for a, b in PLACEHOLDER.findall(entry.msgid + (entry.msgid_plural or ""))
        } | EXTRA_PLACEHOLDERS
        translations = [entry.msgstr, *entry.msgstr_plural.values()]
        used = {a or b for text in translations for a, b in PLACEHOLDER.findall(text)}
        if used - allowed:
            wrong.append((entry.msgid, sorted(used - allowed)))
    assert wrong == []


def test_the_compiled_catalog_is_the_current_one(catalog):
    with (CATALOG.with_suffix(".mo")).open("rb") as compiled:
        translations = gettext.GNUTranslations(compiled)
    stale = [
        entry.msgid
        for entry in catalog.translated_entries()
        if not entry.msgid_plural and not entry.msgctxt and translations.gettext(entry.msgid) != entry.msgstr
    ]
    assert stale == [], "run bin/compile-messages"


# Language names stay in their own language, so that people find theirs.
ALLOWED_TEXT = {"中文", "English"}
TAGS = re.compile(
    r"{%\s*(?:blocktranslate|blocktrans)\b.*?{%\s*end(?:blocktranslate|blocktrans)\s*%}|{#.*?#}|{%.*?%}|{{.*?}}|<!--.*?-->",
    re.S,
)
ATTRIBUTES = re.compile(r'\b(?:title|alt|placeholder|aria-label|value)="([^"]*)"')


def test_templates_hold_no_text_outside_the_translation_tags():
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = TAGS.sub(" ", path.read_text(encoding="utf-8"))
        text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
        for value in ATTRIBUTES.findall(text):
            if re.search(r"[A-Za-z\u4e00-\u9fff]", value) and value not in ALLOWED_TEXT:
                found.append((path.name, value))
        visible = re.sub(r"&#?\w+;", " ", re.sub(r"<[^>]*>", " ", text))
        for word in re.findall(r"[A-Za-z\u4e00-\u9fff][\w\u4e00-\u9fff'’-]*", visible):
            if word not in ALLOWED_TEXT:
                found.append((path.name, word))
    assert found == []
