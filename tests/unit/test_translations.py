"""Pipit's own catalogs: Russian is complete, the committed .mo matches its .po, and a Russian
storefront really speaks Russian (an English one English)."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from pipit.testing import factories

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
RU_PO = LOCALE_DIR / "ru" / "LC_MESSAGES" / "django.po"
RU_MO = LOCALE_DIR / "ru" / "LC_MESSAGES" / "django.mo"
EN_PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
EN_MO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.mo"


def _unquote(lines: list[str]) -> str:
    return "".join(re.match(r'^"(.*)"$', line.strip()).group(1) for line in lines)


def _po_entries(path: Path) -> list[dict]:
    """Entries of a PO file as dicts: msgid, msgstrs (list), fuzzy, obsolete. Header included."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        flags = " ".join(line for line in lines if line.startswith("#,"))
        obsolete = all(line.startswith("#") for line in lines)
        fields: dict[str, list[str]] = {}
        key = None
        for line in lines:
            if line.startswith("#"):
                continue
            match = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (\".*\")$", line)
            if match:
                key = match.group(1)
                fields[key] = [match.group(2)]
            elif key:
                fields[key].append(line)
        if "msgid" not in fields and not obsolete:
            continue
        entries.append(
            {
                "msgid": _unquote(fields["msgid"]) if "msgid" in fields else None,
                "msgid_plural": _unquote(fields["msgid_plural"])
                if "msgid_plural" in fields
                else "",
                "msgstrs": [_unquote(v) for k, v in fields.items() if k.startswith("msgstr")],
                "fuzzy": "fuzzy" in flags,
                "obsolete": obsolete,
            }
        )
    return entries


def test_russian_catalog_has_no_untranslated_or_fuzzy_entries():
    entries = [e for e in _po_entries(RU_PO) if e["msgid"]]
    assert len(entries) > 500  # the whole product, not a stub
    untranslated = [e["msgid"] for e in entries if not all(e["msgstrs"])]
    fuzzy = [e["msgid"] for e in entries if e["fuzzy"]]
    obsolete = [e for e in _po_entries(RU_PO) if e["obsolete"]]
    assert untranslated == []
    assert fuzzy == []
    assert obsolete == []


def test_russian_catalog_uses_three_plural_forms_and_keeps_placeholders():
    header = _po_entries(RU_PO)[0]
    assert header["msgid"] == ""
    assert "nplurals=3;" in header["msgstrs"][0]
    placeholder = re.compile(r"%\(\w+\)[sd]|%\(\w+\)\.\d+f|\{\w*\}")
    for entry in _po_entries(RU_PO)[1:]:
        expected = set(placeholder.findall(entry["msgid"]))
        # Russian's first form also serves 21, 31…: it may need the plural's placeholders.
        expected |= set(placeholder.findall(entry["msgid_plural"]))
        for msgstr in entry["msgstrs"]:
            assert set(placeholder.findall(msgstr)) <= expected | {"%(n)s", "%(n)d"}, entry
            # Every named placeholder of a singular message survives in its translation.
            if len(entry["msgstrs"]) == 1:
                assert set(placeholder.findall(msgstr)) == expected, entry


def test_english_catalog_exists_and_is_the_source_language():
    entries = [e for e in _po_entries(EN_PO) if e["msgid"]]
    assert {e["msgid"] for e in entries} == {e["msgid"] for e in _po_entries(RU_PO) if e["msgid"]}
    assert EN_MO.exists()


@pytest.mark.parametrize("po, mo", [(RU_PO, RU_MO), (EN_PO, EN_MO)], ids=["ru", "en"])
def test_committed_mo_matches_its_po(tmp_path, po, mo):
    """`make demo` uses the committed .mo, so it must say exactly what the .po says."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("gettext's msgfmt is not installed")
    fresh = tmp_path / "django.mo"
    subprocess.run([msgfmt, "--check", "-o", str(fresh), str(po)], check=True)
    with fresh.open("rb") as a, mo.open("rb") as b:
        compiled, committed = gettext.GNUTranslations(a), gettext.GNUTranslations(b)
    assert committed._catalog == compiled._catalog, "run `make messages` and commit the .mo"


@pytest.mark.django_db
def test_russian_storefront_speaks_russian(client_for):
    sf = factories.storefront("alpha", language="ru")
    client = client_for(sf)

    catalog = client.get(reverse("catalogue:index"))
    assert catalog.status_code == 200
    page = catalog.content.decode()
    assert '<html lang="ru"' in page
    assert "Корзина" in page
    assert ">Cart<" not in page

    login = client.get(reverse("customer:login"))
    page = login.content.decode()
    assert "Войти" in page
    assert "Забыли пароль?" in page
    assert "Запросить доступ" in page
    assert "Forgot your password?" not in page


@pytest.mark.django_db
def test_english_storefront_speaks_english(client_for):
    sf = factories.storefront("beta", language="en")
    page = client_for(sf).get(reverse("catalogue:index")).content.decode()
    assert "Cart" in page
    assert "Корзина" not in page


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_every_marked_string_is_in_the_russian_catalog(tmp_path, monkeypatch):
    """A string marked for translation but never extracted would show in English on a Russian
    storefront; run `make messages` and translate it.

    makemessages writes next to the sources (into platform/pipit/locale), so it runs on a copy.
    """
    from django.core.management import call_command
    from django.test import override_settings

    root = Path(settings.PROJECT_DIR)
    src = tmp_path / "src"
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "static")
    shutil.copytree(root / "platform" / "pipit", src / "platform" / "pipit", ignore=skip)
    shutil.copytree(root / "themes", src / "themes", ignore=skip)
    locale = src / "platform" / "pipit" / "locale"
    monkeypatch.chdir(src)
    with override_settings(LOCALE_PATHS=[str(locale)]):
        call_command("makemessages", locale=["ru"], verbosity=0, no_obsolete=True)
    fresh = _po_entries(locale / "ru" / "LC_MESSAGES" / "django.po")
    missing = [
        e["msgid"]
        for e in fresh
        if e["msgid"] and not e["obsolete"] and (e["fuzzy"] or not any(e["msgstrs"]))
    ]
    assert not missing, f"marked but not translated (run make messages): {missing[:10]}"
    assert len(fresh) > 500
