"""Pages in real headless Chromium (Debian's chromium + chromedriver, installed by `make test`):
no console errors, and the links from a thesis to its author and institution lead back to it."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from .servers import serving_samples

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """`ldpub serve` (granian) over the two real samples, on a free loopback port."""
    with serving_samples(tmp_path_factory.mktemp("browser") / "store") as running:
        yield running.base


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    assert Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists(), "run `make test`: it installs chromium"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"):  # fmt: skip
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="ldpub-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def console_errors(driver: webdriver.Chrome) -> list[dict]:
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def found(driver: webdriver.Chrome, starts: str) -> bool:
    """Whether the search page's line saying how many theses were found begins so, waiting
    for it: a submitted form or a click returns before the next page has loaded."""

    def line(d: webdriver.Chrome) -> bool:
        elements = d.find_elements(By.CSS_SELECTOR, "main p.muted")
        return bool(elements) and elements[0].text.startswith(starts)

    try:
        WebDriverWait(driver, 10, ignored_exceptions=(StaleElementReferenceException,)).until(line)
    except TimeoutException:
        return False
    return True


def click(driver: webdriver.Chrome, text: str) -> None:
    driver.find_element(By.LINK_TEXT, text).click()


def test_thesis_author_institution_and_back(site: str, browser: webdriver.Chrome) -> None:
    title = "Computation and measurement of turbulent flow through idealized turbine blade passages"
    browser.get(f"{site}id/thesis/uk.bl.ethos.232781")  # 303, then HTML by negotiation
    assert browser.find_element(By.TAG_NAME, "h1").text == title
    assert browser.current_url == f"{site}doc/thesis/uk.bl.ethos.232781"
    click(browser, "Loizou, Panos A.")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Loizou, Panos A."
    click(browser, title)
    assert browser.find_element(By.TAG_NAME, "h1").text == title
    click(browser, "University of Manchester")
    assert browser.find_element(By.TAG_NAME, "h1").text == "University of Manchester"
    assert "(awarding body)" in browser.page_source
    click(browser, title)
    assert browser.current_url.endswith("/doc/thesis/uk.bl.ethos.232781")
    assert console_errors(browser) == []


def test_pages_render_without_console_errors(site: str, browser: webdriver.Chrome) -> None:
    for path in ("", "doc/thesis/tcd3dc49c1347f397b166", "id/concept/ddc/360", "def/", "shapes"):
        browser.get(site + path)
        assert browser.find_element(By.TAG_NAME, "h1").text
        assert console_errors(browser) == [], path


def test_search_from_the_front_page(site: str, browser: webdriver.Chrome) -> None:
    browser.get(site)
    box = browser.find_element(By.NAME, "q")
    box.send_keys("turbulent")
    box.submit()
    assert found(browser, "1 thesis ")
    click(browser, "Computation and measurement of turbulent flow through idealized turbine blade passages")
    assert browser.current_url.endswith("/doc/thesis/uk.bl.ethos.232781")
    browser.back()
    click(browser, "Physical Sciences")  # a facet
    assert found(browser, "1 thesis (filtered: discipline = Physical Sciences")
    browser.find_element(By.CSS_SELECTOR, '[aria-label="remove the discipline filter"]').click()
    assert found(browser, "1 thesis ") and "discipline = " not in browser.page_source
    assert "turbulent" in browser.current_url
    box = browser.find_element(By.NAME, "q")
    box.clear()
    box.submit()  # no words: every thesis, newest first; then switch to oldest first
    assert found(browser, "2 theses")
    titles = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "ol li > a")]
    assert titles[0].startswith("Mental health and recovery")
    click(browser, "oldest")
    WebDriverWait(browser, 10).until(lambda d: "sort=oldest" in d.current_url)
    titles = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "ol li > a")]
    assert titles[0].startswith("Computation and measurement") and "sort=oldest" in browser.current_url
    assert console_errors(browser) == []


def test_year_bars_lead_to_that_year(site: str, browser: webdriver.Chrome) -> None:
    """The histogram is plain SVG links: a click filters by the bar's year, no script involved."""
    browser.get(f"{site}search")
    assert found(browser, "2 theses")
    bars = browser.find_elements(By.CSS_SELECTOR, "figure.years svg a")
    assert len(bars) == 2  # 1989 and 2019
    bars[-1].click()
    assert found(browser, "1 thesis (filtered: year = 2019")
    assert browser.find_element(By.CSS_SELECTOR, "ol.hits li a").text.startswith("Mental health and recovery")
    summary = browser.find_element(By.CSS_SELECTOR, "figure.years summary")
    summary.click()  # the same figures as a table, for people who cannot see the bars
    cells = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "figure.years table td")]
    assert cells == ["1989", "1", "2019", "1"]
    assert console_errors(browser) == []


@pytest.mark.parametrize(("width", "beside"), [(1400, True), (600, False)])
def test_facets_beside_results_when_wide_below_when_narrow(
    site: str, browser: webdriver.Chrome, tmp_path: Path, width: int, beside: bool
) -> None:
    browser.set_window_size(width, 1000)
    try:
        browser.get(f"{site}search")
        assert found(browser, "2 theses")
        results = browser.find_element(By.CSS_SELECTOR, "section[aria-label=Results]").rect
        facets = browser.find_element(By.CSS_SELECTOR, "aside.refine").rect
        if beside:
            assert facets["x"] >= results["x"] + results["width"] and facets["y"] < results["y"] + results["height"]
        else:
            assert facets["y"] >= results["y"] + results["height"] and facets["x"] == results["x"]
        for title in browser.find_elements(By.CSS_SELECTOR, "a.hit-title"):  # whole titles, wrapped, never cut
            clipped = browser.execute_script(
                "const r = arguments[0].getBoundingClientRect(), s = arguments[1].getBoundingClientRect();"
                "return r.right > s.right + 1 || getComputedStyle(arguments[0]).textOverflow === 'ellipsis';",
                title, browser.find_element(By.CSS_SELECTOR, "section[aria-label=Results]"),
            )  # fmt: skip
            assert not clipped
        shot = tmp_path / f"search-{width}.png"
        assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 1000
    finally:
        browser.set_window_size(1280, 1000)
