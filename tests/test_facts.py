"""Facts you can trust: the fact model, `kkguide facts`, the imprint's claims, staleness, the
draft rule, phones checked with phonenumbers (independently of kkguide's own reading)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import phonenumbers
import pytest

from kkguide.config import load_config, load_facts
from kkguide.errors import KkguideError
from kkguide.files import ProjectFiles
from kkguide.markdown import render_fact, shown_value
from conftest import REPO, make_project, tool

FACTS = "guide/contacts.yml"
VERIFIED = ("  state: verified\n  verified_on: 2026-01-10\n"
            "  verified_by: test author, against the fixture's own data\n")
NATIONAL = ("bamf", "recognition", "employment_agency", "family_fund", "mbeon", "handbook")
OFFICE = ("abh.address", "abh.phone", "abh.phone2", "abh.fax", "abh.email", "abh.hours")


def _facts_text(root: Path) -> str:
    return (root / FACTS).read_text(encoding="utf-8")


def _set_facts(root: Path, text: str) -> None:
    (root / FACTS).write_text(text, encoding="utf-8")


def _load(root: Path, day: str = "2026-06-01"):
    return load_facts(ProjectFiles.at(root), dt.date.fromisoformat(day), 365)


def _error(root: Path, day: str = "2026-06-01") -> KkguideError:
    with pytest.raises(KkguideError) as info:
        _load(root, day)
    return info.value


# --- the model ---------------------------------------------------------------------------------

def test_checked_is_refused_with_what_replaces_it(mini):
    _set_facts(mini, _facts_text(mini).replace(VERIFIED, "  checked: 2026-01-10\n", 1))
    err = _error(mini)
    assert (err.path, err.line) == (FACTS, 8)
    assert "'checked' is no longer used: write 'state: verified' with 'verified_on' and 'verified_by'" in err.problem


@pytest.mark.parametrize("change, line, message", [
    (("  verified_on: 2026-01-10\n", ""), 8, "missing key 'verified_on'"),
    (("  verified_by: test author, against the fixture's own data\n", ""), 8, "missing key 'verified_by'"),
    (("  state: verified\n", "  state: unverified\n"), 9, "'verified_on' is only for 'state: verified'"),
    (("  state: verified\n", "  state: maybe\n"), 8, "'kreis.state' must be 'verified' or 'unverified'"),
    (("  source: test fixture (made-up data)\n", ""), 1, "missing key 'source'"),
    (("  verified_on: 2026-01-10\n", "  verified_on: 2026-07-01\n"), 9, "lies in the future"),
])
def test_verification_fields_are_all_or_nothing(mini, change, line, message):
    _set_facts(mini, _facts_text(mini).replace(*change, 1))
    err = _error(mini)
    assert err.line == line and message in err.problem, err


def test_an_invalid_phone_number_is_a_located_error(mini):
    _set_facts(mini, _facts_text(mini).replace("  phone: 02821 85-0", "  phone: 02821 1", 1))
    err = _error(mini)
    assert (err.path, err.line) == (FACTS, 4)
    assert err.problem == "'02821 1' is not a valid phone number (phonenumbers: not a valid German number)"
    assert not phonenumbers.is_valid_number(phonenumbers.parse("02821 1", "DE"))  # the library agrees


def test_a_phone_in_another_grouping_names_the_din_5008_form(mini):
    _set_facts(mini, _facts_text(mini).replace("  phone: 02821 85-0", "  phone: 0282 185 0", 1))
    err = _error(mini)
    assert err.line == 4 and err.problem.startswith("'0282 185 0' is not written in DIN 5008 style: write '02821 850'")


def test_a_fact_past_valid_until_is_a_located_error(mini):
    _set_facts(mini, _facts_text(mini).replace(VERIFIED, VERIFIED + "  valid_until: 2026-05-31\n", 1))
    _load(mini, "2026-05-31")  # still valid on its last day
    err = _error(mini, "2026-06-01")
    assert (err.path, err.line) == (FACTS, 11)
    assert err.problem.startswith("fact 'kreis' is past its valid_until 2026-05-31 (facts are judged as of 2026-06-01)")


@pytest.mark.parametrize("field, value, message", [
    ("url", "http://www.kreis-kleve.de", "is not an https:// address"),
    ("email", "info@kreis-kleve", "is not a valid e-mail address"),
])
def test_urls_must_be_https_and_emails_valid(mini, field, value, message):
    old = {"url": "  url: https://www.kreis-kleve.de", "email": "  email: info@kreis-kleve.de"}[field]
    _set_facts(mini, _facts_text(mini).replace(old, f"  {field}: {value}", 1))
    err = _error(mini)
    assert err.line == {"url": 6, "email": 5}[field] and message in err.problem


def test_staleness_follows_the_policy(mini):
    facts = _load(mini, "2027-01-10")        # 365 days after 2026-01-10: not yet stale
    assert facts.records["kreis"].flag == ""
    facts = _load(mini, "2027-01-11")
    assert facts.records["kreis"].stale and facts.records["kreis"].flag == "stale"
    assert facts.oldest_verification(["kreis.phone"]) is None and facts.flagged(["kreis.phone"])


def test_the_policy_key_is_checked(mini):
    guide = mini / "guide/guide.yml"
    guide.write_text(guide.read_text() + "max_fact_age_days: 0\n")
    with pytest.raises(KkguideError, match="max_fact_age_days' must be a whole number of days"):
        load_config(mini)


def test_short_numbers_and_the_unlisted_exception(mini):
    _set_facts(mini, _facts_text(mini).replace('  phone: "110"', "  phone: 116 016", 1))
    err = _error(mini)
    assert "not a short number phonenumbers knows for Germany" in err.problem
    _set_facts(mini, _facts_text(mini).replace("  phone: 116 016\n", "  phone: 116 016\n  unlisted: assigned in 2023\n"))
    assert _load(mini).get("police.phone").link == "tel:116016"


def test_every_default_phone_is_valid_for_phonenumbers_and_linked_as_e164():
    """Read contacts.yml with PyYAML and phonenumbers only, not through kkguide's own checks."""
    import yaml

    data = yaml.safe_load((REPO / FACTS).read_text(encoding="utf-8"))
    facts = _load(REPO, "2026-12-15")
    seen = 0
    for fid, fields in data.items():
        for field in ("phone", "phone2", "fax"):
            if field not in fields:
                continue
            raw = str(fields[field])
            number = phonenumbers.parse(raw, "DE")
            link = facts.get(f"{fid}.{field}").link
            if phonenumbers.is_valid_number(number):
                assert link == "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
                # DIN 5008: national or +49 form, area code, one space, the number (hyphen before an extension)
                assert re.fullmatch(r"(0|\+49 )\d+ \d+(-\d+)?", raw), raw
            else:
                from phonenumbers import shortnumberinfo
                assert shortnumberinfo.is_possible_short_number_for_region(number, "DE"), raw
                assert link == "tel:" + re.sub(r"\D", "", raw)
            seen += 1
    assert seen >= 15


def test_amounts_and_dates_are_printed_in_each_languages_style():
    facts = _load(REPO, "2026-12-15")
    wage = facts.get("minimum_wage.amount")
    assert shown_value(wage, "de") == "13,90\xa0€" and shown_value(wage, "en") == "€13.90"
    assert shown_value(facts.get("child_benefit.amount"), "de") == "259\xa0€"
    assert shown_value(facts.get("minimum_wage.valid_from"), "fr") == "1 janvier 2026"
    assert "\u200f" not in shown_value(wage, "ar")  # set as a left-to-right run, no CLDR bidi marks
    html = render_fact(wage, "de")
    assert html == '<span class="fact amount" dir="ltr">13,90\xa0€</span><sup class="fact-mark unverified">*</sup>'
    assert "fact-mark" not in render_fact(facts.get("police.phone"), "de")


# --- the default guide --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def default_report():
    from click.testing import CliRunner
    from kkguide.cli import main

    result = CliRunner().invoke(main, ["facts", "-C", str(REPO), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_facts_lists_the_national_contacts_and_office_data_as_unverified(default_report):
    rows = {r["ref"]: r for r in default_report["facts"]}
    for fid in NATIONAL:
        own = [r for ref, r in rows.items() if ref.startswith(fid + ".")]
        assert own and all(r["state"] == "unverified" and not r["verified_on"] for r in own), fid
    for ref in OFFICE:
        assert rows[ref]["state"] == "unverified" and rows[ref]["used_in"], ref
    assert rows["bamf.phone"]["value"] == "+49 911 943-0"
    # verified facts say by whom and against what, and agree with the office fact sheet
    sheet = Path("/work/shared/design/content-facts.md")
    verified = [r for r in rows.values() if r["state"] == "verified"]
    assert verified and all(r["verified_by"] and r["verified_on"] for r in verified)
    if sheet.is_file():
        text = re.sub(r"\D", "", sheet.read_text(encoding="utf-8"))
        for r in verified:
            if r["kind"] == "phone":
                assert re.sub(r"\D", "", r["value"]) in text, r["ref"]


def test_facts_says_where_each_fact_is_printed(default_report):
    rows = {r["ref"]: r for r in default_report["facts"]}
    bamf = rows["bamf.phone"]
    assert any(re.fullmatch(r"chapters/04-sprache\.md:\d+", u) for u in bamf["used_in"])
    chapter, line = next(u for u in bamf["used_in"] if u.startswith("chapters/")).split(":")
    assert "{{bamf.phone}}" in (REPO / chapter).read_text(encoding="utf-8").split("\n")[int(line) - 1]
    assert "styles/imprint.html.j2:4" in rows["kreis.phone"]["used_in"]
    place = rows["police.phone"]["used_in_catalogs"]["ar"][0]
    po, po_line = place.rsplit(":", 1)
    assert po == "translations/ar/LC_MESSAGES/guide.po"
    lines = (REPO / po).read_text(encoding="utf-8").split("\n")
    assert lines[int(po_line) - 1].startswith("msgstr")  # the line of the translation ...
    start = max(i for i in range(int(po_line) - 1) if lines[i].startswith("msgid"))
    assert "{{police.phone}}" in "".join(lines[start:int(po_line) - 1])  # ... of a message that uses the fact
    assert re.fullmatch(r"\d+ facts: \d+ verified, \d+ unverified, 0 stale \(older than 365 days as of "
                        r"2026-12-15\); \d+ printed, \d+ of them unverified or stale; \d+ unused",
                        default_report["summary"])


def test_facts_text_format_and_exit_status(cli):
    result = cli(REPO, "facts", "--lang", "ar")
    assert result.exit_code == 0
    assert re.search(r"^guide/contacts\.yml:\d+: bamf\.phone = \+49 911 943-0  \[unverified\]$", result.output, re.M)
    assert "    ar: translations/ar/LC_MESSAGES/guide.po:" in result.output
    assert "    uk: " not in result.output
    assert result.output.rstrip().split("\n")[-1].startswith(f"{len(_load(REPO, '2026-12-15').entries)} facts: ")


# --- the imprint says exactly what is true ----------------------------------------------------------

def _imprint_texts(pdf: Path) -> list[str]:
    """The imprint page's text, read by poppler and by MuPDF (they order text differently)."""
    import pymupdf

    texts = []
    pages = tool("pdfinfo", str(pdf))
    count = int(re.search(r"Pages:\s+(\d+)", pages).group(1))
    for n in range(1, count + 1):
        text = tool("pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-")
        if "Impressum" in text and "Herausgeber" in text:
            with pymupdf.open(pdf) as doc:
                texts = [" ".join(text.split()), " ".join(doc[n - 1].get_text().split())]
            break
    assert texts, "no imprint page found"
    return texts


def test_imprint_gives_a_date_only_when_every_printed_fact_is_verified(mini, cli):
    assert cli(mini, "build", "--jobs", "1", "--lang", "de").exit_code == 0
    for text in _imprint_texts(mini / "dist/de/kreis-kleve-welcome-guide-de-screen.pdf"):
        assert "Sie wurden zuletzt geprüft am 10. Januar 2026" in text
        assert "Sternchen" not in text and "*" not in text
    _set_facts(mini, _facts_text(mini).replace(VERIFIED, "  state: unverified\n", 1))
    result = cli(mini, "build", "--jobs", "1", "--lang", "de")
    assert result.exit_code == 0 and "(reused)" not in result.output
    for text in _imprint_texts(mini / "dist/de/kreis-kleve-welcome-guide-de-screen.pdf"):
        assert "geprüft am" not in text
        assert "Angaben mit einem Sternchen (*) sind noch nicht bestätigt." in text
        assert re.search(r"02821 85-0 ?\*", text)  # the unverified phone carries its mark in print


def test_a_fact_going_stale_changes_the_pdf_not_a_cached_copy(mini, cli, monkeypatch):
    assert cli(mini, "build", "--jobs", "1", "--lang", "de").exit_code == 0
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2027, 2, 1, tzinfo=dt.timezone.utc).timestamp())))
    result = cli(mini, "build", "--jobs", "1", "--lang", "de")
    assert result.exit_code == 0 and "(reused)" not in result.output
    for text in _imprint_texts(mini / "dist/de/kreis-kleve-welcome-guide-de-screen.pdf"):
        assert "geprüft am" not in text and "Sternchen" in text


def test_reviewed_guide_with_an_unverified_fact_is_refused(mini, cli):
    guide = mini / "guide/guide.yml"
    guide.write_text(guide.read_text() + "reviewed: true\n")
    assert cli(mini, "build", "--jobs", "1", "--lang", "de").exit_code == 0
    _set_facts(mini, _facts_text(mini).replace(VERIFIED, "  state: unverified\n", 1))
    result = cli(mini, "build", "--jobs", "1", "--lang", "de", "--force")
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        "guide/guide.yml:12: 'reviewed: true', but 4 printed fact(s) are unverified or stale (first: kreis.phone, "
        "guide/contacts.yml:1, unverified); verify them (kkguide facts lists them) or set 'reviewed: false'")


@pytest.mark.slow
def test_default_german_imprint_claims_no_check(default_build):
    """The default guide prints unverified facts: its imprint gives no verification date, says so,
    and the facts carry their marks (read back with poppler and MuPDF). The session's build
    (conftest.default_build)."""
    pdf = default_build.dist / "de/kreis-kleve-welcome-guide-de-screen.pdf"
    for text in _imprint_texts(pdf):
        assert "geprüft am" not in text and "zuletzt geprüft" not in text
        assert "Angaben mit einem Sternchen (*) sind noch nicht bestätigt." in text
    body = " ".join(tool("pdftotext", str(pdf), "-").split())
    assert re.search(r"\+49 911 943-0 ?\*", body) and "+49 911 943-6390" not in body
    assert re.search(r"termine\.abh@kreis-kleve\.de ?\*", body)
    assert not re.search(r"\b110 ?\*", body)  # verified against the office fact sheet: no mark


def test_opening_hours_are_printed_in_each_languages_own_words():
    from kkguide.config import format_hours, parse_hours

    hours = parse_hours("Mo, Di, Do 08:00-15:00; Sa 10:00-12:00", "guide/contacts.yml", 1)
    assert format_hours(hours, "de") == "Montag, Dienstag und Donnerstag 08:00–15:00 und Samstag 10:00–12:00"
    assert format_hours(hours, "ar").startswith("الاثنين والثلاثاء والخميس 08:00–15:00")
    assert format_hours(hours, "uk").startswith("понеділок, вівторок і четвер 08:00–15:00")
    assert "\u200f" not in format_hours(hours, "fa_AF")
    assert format_hours(parse_hours("Mo-Fr 09:00-11:00", "x", 1), "en") == "Monday–Friday 09:00–11:00"
