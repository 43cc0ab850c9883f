"""A real browser (Debian's chromium, driven by Playwright) clicking through the running app."""
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from . import shapes
from .conftest import ROOT, realdata

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(db: Path, tmp_path: Path):
    """Start `streamlit run app.py` on a free loopback port over the store `db`; yields its URL."""
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: the README's test command installs Debian's chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    port = _free_port()
    env = {**os.environ, "CXMETRICS_DB": str(db), "PYTHONPATH": str(ROOT)}
    log = open(tmp_path / "streamlit.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("streamlit did not start: " + (tmp_path / "streamlit.log").read_text())
    yield url
    process.terminate()
    process.wait(timeout=20)
    log.close()


@pytest.fixture
def server(tmp_path):
    yield from _serve(tmp_path / "browser.duckdb", tmp_path)


def vega_warnings(messages) -> list[str]:
    """Console warnings from Vega or Vega-Lite ("WARN Infinite extent…"): a chart drawn wrong, even if nothing threw."""
    return [m.text for m in messages if m.type == "warning" and (m.text.startswith("WARN") or "Vega" in m.text
                                                                 or "extent" in m.text)]


def save_screenshots(folder: Path, prefix: str = "") -> None:
    """Copy the screenshots to CXMETRICS_SCREENSHOTS, when set, for a person to look at."""
    if os.environ.get("CXMETRICS_SCREENSHOTS"):
        target = Path(os.environ["CXMETRICS_SCREENSHOTS"])
        target.mkdir(parents=True, exist_ok=True)
        for shot in folder.glob("*.png"):
            (target / f"{prefix}{shot.name}").write_bytes(shot.read_bytes())


def settle(page, quiet_checks: int = 4) -> None:
    """Wait until the script has finished: no running indicator and no stale element, several checks in a row."""
    quiet = 0
    for _ in range(400):
        running = page.locator('[data-testid="stStatusWidget"]').is_visible() or \
            page.locator('[data-stale="true"]').count() > 0
        quiet = 0 if running else quiet + 1
        if quiet >= quiet_checks:
            return
        page.wait_for_timeout(250)
    raise AssertionError("the page kept running for 100 s")


def full_page(page, path: Path) -> None:
    """A screenshot of the whole page: Streamlit scrolls inside its main block, so grow the window to fit it."""
    settle(page)
    height = 0
    for _ in range(4):  # charts laid out at the new size may make the page taller: grow again until it holds
        grown = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
        if grown <= height:
            break
        height = grown
        page.set_viewport_size({"width": 1400, "height": max(1000, min(height + 40, 16000))})
        page.wait_for_timeout(800)  # let Vega lay the charts out at the new size
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})


def _pick(page, label: str, option: str, attempts: int = 4) -> None:
    """Choose an option of a Streamlit select box (a combobox) by its label.

    The page is let settle first, and the click is tried again when no list opens: a rerun that
    lands between the click and the list redraws the box and closes the list (seen in CI)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(attempts):
        settle(page)
        combo = page.get_by_role("combobox", name=label)
        combo.click()
        combo.fill(option)
        try:
            page.get_by_role("option").filter(has_text=option).first.wait_for(timeout=15_000)
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")
            continue
        page.keyboard.press("Enter")
        return


def _recording_page(pw):
    """Chromium with the headless flags and a 1400 × 1000 page that records its console messages and failed
    requests: (browser, page, messages, failed request URLs)."""
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    messages, failed = [], []
    page.on("console", lambda m: messages.append(m))
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.set_default_timeout(60_000)
    return browser, page, messages, failed


def test_upload_pwc_then_overview_compliance_and_channel_detail(server, tmp_path):
    from playwright.sync_api import sync_playwright

    workbook = realdata("pwc_call_center_2021Q1.xlsx")
    with sync_playwright() as pw:
        browser, page, messages, failed = _recording_page(pw)

        page.goto(server)
        nav = page.locator('[data-testid="stSidebarNav"]')
        nav.get_by_text("Upload", exact=True).click()
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(workbook))
        page.get_by_text("no column gives the channel").wait_for()   # the mapping needs a channel
        _pick(page, "Channel for every row", "voice")
        page.get_by_text("First rows as they will be imported").wait_for()
        page.get_by_role("button", name="Import pwc_call_center_2021Q1.xlsx").click()
        imported = page.locator('[data-testid="stMetric"]').filter(has_text="Imported")
        imported.locator('[data-testid="stMetricValue"]').filter(has_text="5,000").wait_for()
        page.screenshot(path=str(tmp_path / "upload.png"), full_page=True)

        nav.get_by_text("Overview", exact=True).click()
        page.get_by_role("heading", name="Voice").wait_for()
        _pick(page, "Month", "2021-01")
        volume = page.locator(".cx-tile").filter(has_text="Volume").first
        volume.locator(".cx-tile-value").filter(has_text="1,772").wait_for()
        assert volume.locator(".cx-tile-value").inner_text() == "1,772"
        assert "Inbound contacts offered" in volume.locator("abbr").get_attribute("title")  # the definition
        page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)

        nav.get_by_text("Compliance (9 of 12)", exact=True).click()
        page.get_by_text("Flagged months").wait_for()
        page.screenshot(path=str(tmp_path / "compliance.png"), full_page=True)

        nav.get_by_text("Channel detail", exact=True).click()
        page.get_by_text("Weekday × half-hour").wait_for()
        page.screenshot(path=str(tmp_path / "channel.png"), full_page=True)

        nav.get_by_text("Quarterly review", exact=True).click()
        page.get_by_text("Findings").wait_for()
        with page.expect_download() as download:
            page.get_by_role("button", name="Download the 2021Q1 workbook (.xlsx)").click()
        saved = tmp_path / "review.xlsx"
        download.value.save_as(saved)
        page.screenshot(path=str(tmp_path / "review.png"), full_page=True)

        for title, marker, shot in (("Satisfaction", "CSAT distribution (1–5)", "satisfaction"),
                                    ("Follow-up", "Export the list (CSV, safe for Excel)", "followup"),
                                    ("CX maturity", "Save and track progress", "maturity")):
            nav.get_by_text(title, exact=True).click()
            page.get_by_text(marker).first.wait_for()
            page.screenshot(path=str(tmp_path / f"{shot}.png"), full_page=True)
        browser.close()
    from openpyxl import load_workbook
    workbook = load_workbook(saved)
    assert workbook.sheetnames[0] == "Summary" and workbook["Summary"]["A1"].value == "Quarterly SLA review 2021Q1"
    for name in ("upload", "overview", "compliance", "channel", "review", "satisfaction", "followup", "maturity"):
        assert (tmp_path / f"{name}.png").stat().st_size > 10_000
    save_screenshots(tmp_path, "pwc-")
    # Only blocked font downloads may fail (this machine has no route to font CDNs).
    blocked_fonts = [u for u in failed if "fonts." in u]
    assert [u for u in failed if u not in blocked_fonts] == []
    errors = [m.text for m in messages if m.type == "error"]
    assert len(errors) <= len(blocked_fonts), errors
    assert vega_warnings(messages) == []


PAGES = {"Overview": "Overview", "Channel detail": "Channel detail",
         "Compliance (9 of 12)": "Compliance (9 of the last 12 months)", "Quarterly review": "Quarterly review",
         "Staffing": "Staffing what-if", "Satisfaction": "Satisfaction", "Drivers": "Satisfaction drivers", "Follow-up": "Follow-up of low scores", "CX maturity": "CX maturity self-assessment",
         "Upload": "Upload", "Targets & settings": "Targets & settings", "Data quality": "Data quality"}


@pytest.mark.parametrize("shape", ["sample", "voice_acd", "monthly_report"])
def test_every_page_in_a_browser_without_console_errors_or_vega_warnings(shape, tmp_path):
    """Every page on the sample, on a voice-only ACD log (no surveys, no customers) and on a store holding only an
    aggregated monthly report; full-page screenshots."""
    from playwright.sync_api import sync_playwright

    db = shapes.build(shape, tmp_path / "store")
    server = _serve(db, tmp_path)
    url = next(server)
    shots = tmp_path / "shots"
    shots.mkdir()
    try:
        with sync_playwright() as pw:
            browser, page, messages, failed = _recording_page(pw)
            page.set_default_timeout(90_000)
            page.goto(url)
            nav = page.locator('[data-testid="stSidebarNav"]')
            for link, title in PAGES.items():
                nav.get_by_text(link, exact=True).click()
                page.get_by_role("heading", name=title, exact=True).wait_for()
                full_page(page, shots / f"{link.split()[0].lower().replace('-', '')}.png")
                assert not page.locator('[data-testid="stException"]').count(), f"{link}: an exception on the page"
            browser.close()
    finally:
        next(server, None)
    save_screenshots(shots, f"{shape}-")
    assert len(list(shots.glob("*.png"))) == len(PAGES)
    blocked_fonts = [u for u in failed if "fonts." in u]
    assert [u for u in failed if u not in blocked_fonts] == []
    errors = [m.text for m in messages if m.type == "error"]
    assert len(errors) <= len(blocked_fonts), errors
    assert vega_warnings(messages) == []


def test_upload_a_queue_log_in_a_browser_with_no_mapping(server, tmp_path):
    """Issue 14 §1: a file without an extension, recognised from its content; the page maps nothing."""
    from playwright.sync_api import sync_playwright

    log = Path(__file__).parent / "fixtures" / "platforms" / "queue_log"
    with sync_playwright() as pw:
        browser, page, messages, failed = _recording_page(pw)
        page.goto(server)
        page.locator('[data-testid="stSidebarNav"]').get_by_text("Upload", exact=True).click()
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(log))
        page.get_by_text("Recognised as Asterisk queue_log").wait_for()
        page.get_by_text("8 queue_log lines carry no contact").wait_for()
        assert page.get_by_role("combobox", name="Contact id").count() == 0   # no mapping editor
        page.screenshot(path=str(tmp_path / "preview.png"), full_page=True)
        page.get_by_role("button", name="Import queue_log").click()
        imported = page.locator('[data-testid="stMetric"]').filter(has_text="Imported")
        imported.locator('[data-testid="stMetricValue"]').filter(has_text="9").wait_for()
        full_page(page, tmp_path / "imported.png")
        browser.close()
    # Only blocked font downloads may fail (this machine has no route to font CDNs).
    assert not [u for u in failed if "fonts." not in u]
    assert not [m.text for m in messages if m.type == "error" and not m.text.startswith("Failed to load resource")]
    assert (tmp_path / "imported.png").stat().st_size > 10_000
    save_screenshots(tmp_path, "queue_log-")


RUSSIAN_NAVIGATION = ["Обзор", "Канал подробно", "Соответствие (9 из 12)", "Квартальный обзор", "Расчёт персонала",
                      "Удовлетворённость", "Факторы удовлетворённости", "Отработка оценок", "Зрелость CX", "Загрузка", "Цели и настройки", "Качество данных"]


def test_every_page_in_russian_through_the_sidebar_switch(tmp_path):
    """One pass in Russian: the sidebar's switch turns the running session to Russian at once; every page is then
    clicked by its Russian name and shows a Russian heading; full-page screenshots for a person to look at."""
    from playwright.sync_api import sync_playwright

    db = shapes.build("sample", tmp_path / "store")
    server = _serve(db, tmp_path)
    url = next(server)
    shots = tmp_path / "shots"
    shots.mkdir()
    headings = []
    try:
        with sync_playwright() as pw:
            browser, page, messages, failed = _recording_page(pw)
            page.set_default_timeout(90_000)
            page.goto(url)
            page.get_by_role("heading", name="Overview", exact=True).wait_for()
            _pick(page, "Language · Язык", "Русский")
            page.get_by_role("heading", name="Обзор", exact=True).wait_for()
            settle(page)
            month_box = page.get_by_role("combobox", name="Месяц").input_value()
            assert re.fullmatch(r"[а-я]+ 20\d\d", month_box), month_box  # redrawn in the new words
            nav = page.locator('[data-testid="stSidebarNav"]')
            for link in RUSSIAN_NAVIGATION:
                nav.get_by_text(link, exact=True).click()
                settle(page)
                heading = page.locator("h1").first.inner_text().strip()
                assert re.search("[А-Яа-яЁё]", heading), f"{link}: heading {heading!r} is not Russian"
                headings.append(heading)
                full_page(page, shots / f"{len(headings):02d}.png")
                assert not page.locator('[data-testid="stException"]').count(), f"{link}: an exception on the page"
                if link == "Загрузка":  # Streamlit writes its uploader in English: the page puts it in Russian
                    words = page.evaluate("""() => ['[data-testid="stFileUploaderDropzone"] button',
                        '[data-testid="stFileUploaderDropzoneInstructions"]'].map(
                        s => getComputedStyle(document.querySelector(s), '::after').content)""")
                    assert words == ['"Выбрать файлы"', '"до 200 МБ на файл"'], words
                    assert page.get_by_text("Upload", exact=True).is_hidden()
            assert not page.get_by_text("Deploy", exact=True).count()  # toolbarMode: minimal
            browser.close()
    finally:
        next(server, None)
    save_screenshots(shots, "ru-")
    assert len(set(headings)) == len(RUSSIAN_NAVIGATION), headings
    blocked_fonts = [u for u in failed if "fonts." in u]
    assert [u for u in failed if u not in blocked_fonts] == []
    assert vega_warnings(messages) == []
