"""End to end in a real headless Chromium (Debian's ``chromium`` and ``chromium-driver``, driven
by Selenium): the seed stories, a story, a citation, search, an upload, and an article full of
script payloads that must run nothing. Skipped when no Chromium is installed.

With STORYDESK_SCREENSHOTS=docs/screenshots the main pages are saved there as PNG."""
from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

webdriver = pytest.importorskip("selenium.webdriver")
uvicorn = pytest.importorskip("uvicorn")
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait
from test_web import ARTICLE, build_seed_store

from storydesk.web import create_app

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="needs Debian's chromium and chromium-driver")
SCREENSHOTS = os.environ.get("STORYDESK_SCREENSHOTS")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real uvicorn server over the seed store, in a thread, on a free loopback port."""
    folder = tmp_path_factory.mktemp("browser")
    app = create_app(build_seed_store(folder), data_dir=folder / "data")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1400"):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(CHROMEDRIVER))
    driver.implicitly_wait(2)
    yield driver
    driver.quit()


def screenshot(driver: webdriver.Chrome, name: str) -> None:
    """Save the page (its full height, up to 3,000 px) when screenshots are asked for."""
    if not SCREENSHOTS:
        return
    height = min(3000, driver.execute_script("return document.documentElement.scrollHeight"))
    driver.set_window_size(1280, max(900, height))
    Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(Path(SCREENSHOTS) / f"{name}.png"))
    driver.set_window_size(1280, 1400)


def screenshot_of(driver: webdriver.Chrome, element_id: str, name: str) -> None:
    """Save one section of the page when screenshots are asked for."""
    if SCREENSHOTS:
        driver.find_element(By.ID, element_id).screenshot(str(Path(SCREENSHOTS) / f"{name}.png"))


def no_script_ran(driver: webdriver.Chrome) -> bool:
    try:
        _ = driver.switch_to.alert
        return False
    except NoAlertPresentException:
        return driver.execute_script("return window.pwned === undefined")


def test_stories_story_and_a_citation(browser: webdriver.Chrome, base_url: str) -> None:
    browser.get(base_url + "/")
    links = browser.find_elements(By.CSS_SELECTOR, "a.story-link")
    assert any("sovereign decision" in link.text for link in links)
    screenshot(browser, "stories")
    next(link for link in links if "sovereign decision" in link.text).click()
    assert browser.find_element(By.CSS_SELECTOR, "svg.timeline circle.event")
    assert browser.find_element(By.CSS_SELECTOR, "#figures span.badge-disagree").text == "outlets disagree"
    first_row = browser.find_element(By.CSS_SELECTOR, "#figures table.figures tbody tr").text
    assert "deployed" in first_row and "1,500" in first_row and "3,000" in first_row  # one row, every value
    others = browser.find_element(By.CSS_SELECTOR, "#figures details.other-figures summary").text
    assert others.endswith("other figures, each in one article and of nothing that happened")
    screenshot(browser, "story")
    screenshot_of(browser, "disputes", "story-disputes")
    for section in ("figures", "coverage"):
        screenshot_of(browser, section, f"story-{section}")
    citation = browser.find_element(By.CSS_SELECTOR, "ul.summary a.cite")
    citation.click()
    assert "cite=" in browser.current_url
    cited = browser.find_element(By.ID, "cite")
    top = browser.execute_script("return arguments[0].getBoundingClientRect().top", cited)
    assert 0 <= top < browser.execute_script("return window.innerHeight")  # scrolled to the sentence
    screenshot(browser, "article")


def test_search_for_stoltenberg_and_his_quotes(browser: webdriver.Chrome, base_url: str) -> None:
    browser.get(base_url + "/")
    box = browser.find_element(By.CSS_SELECTOR, "header form.quick input[name=q]")
    box.send_keys("Stoltenberg")
    box.submit()
    WebDriverWait(browser, 10).until(expected_conditions.url_contains("/search?q=Stoltenberg"))
    assert browser.find_element(By.CSS_SELECTOR, ".snippet mark").text == "Stoltenberg"
    screenshot(browser, "search")
    browser.find_element(By.CSS_SELECTOR, "a.entity-link").click()
    assert "enormous quantities of ammunition" in browser.find_element(By.CSS_SELECTOR, "table.quotes").text


def test_upload_an_article(browser: webdriver.Chrome, base_url: str, tmp_path: Path) -> None:
    upload = tmp_path / "lakeside-bridge.txt"
    upload.write_text(ARTICLE, encoding="utf-8")
    browser.get(base_url + "/ingest")
    screenshot(browser, "ingest")
    browser.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(upload))
    browser.find_element(By.CSS_SELECTOR, "input[name=outlet]").send_keys("Lakeside Herald")
    browser.find_element(By.CSS_SELECTOR, "form.upload button").click()
    WebDriverWait(browser, 120).until(lambda driver: "state-done" in driver.page_source)
    row = browser.find_element(By.CSS_SELECTOR, "tr.file").text
    assert "lakeside-bridge.txt" in row and "1 added" in row
    screenshot(browser, "ingest-job")
    browser.get(base_url + "/search?q=Lakeside")
    assert "Bridge opens in Lakeside" in browser.find_element(By.CSS_SELECTOR, "ol.hits").text
    browser.find_element(By.CSS_SELECTOR, "ol.hits a.hit").click()
    assert "Lakeside Herald" in browser.find_element(By.CSS_SELECTOR, "dl.facts").text  # the outlet given


def test_hostile_article_executes_nothing(browser: webdriver.Chrome, base_url: str) -> None:
    browser.get(base_url + "/search?q=Ruritania")
    assert no_script_ran(browser)
    browser.find_element(By.CSS_SELECTOR, "a.hit").click()
    text = browser.find_element(By.ID, "text").text
    assert "<script>window.pwned=1</script>" in text and 'onerror="window.pwned=1"' in text
    assert browser.find_elements(By.CSS_SELECTOR, "#text script, #text img, #text svg, a[href^='javascript:']") == []
    assert no_script_ran(browser)
    browser.find_element(By.CSS_SELECTOR, "p.muted a[href^='/stories/']").click()
    assert no_script_ran(browser)


def test_api_docs_render_from_the_apps_own_files(browser: webdriver.Chrome, base_url: str) -> None:
    browser.get(base_url + "/docs")
    WebDriverWait(browser, 20).until(lambda driver: driver.find_elements(By.CSS_SELECTOR, ".swagger-ui .opblock"))
    assert "/api/stories/{story_id}" in browser.find_element(By.CSS_SELECTOR, ".swagger-ui").text
    assert all(src.startswith(base_url) for src in browser.execute_script("return [...document.scripts].map(s => s.src).filter(Boolean)"))


def test_the_story_page_opens_with_what_the_outlets_dispute(browser: webdriver.Chrome, base_url: str) -> None:
    browser.get(base_url + "/stories/1")
    sections = [e.get_attribute("id") for e in browser.find_elements(By.CSS_SELECTOR, "main section")]
    assert sections[:4] == ["disputes", "summary", "timeline", "quotes"], sections
    troops = next(d for d in browser.find_elements(By.CSS_SELECTOR, "#disputes .dispute") if "North Korean" in d.text)
    sides = [side.text for side in troops.find_elements(By.CSS_SELECTOR, ".side-says")]
    assert len(sides) >= 2, sides
    assert troops.find_elements(By.CSS_SELECTOR, "a.cite"), "every side cites its articles"
    carried = browser.find_elements(By.CSS_SELECTOR, "#quotes .statement.shared")
    assert carried and "in 3 articles" in carried[0].text
    speakers = [h.text for h in browser.find_elements(By.CSS_SELECTOR, "#quotes h4.speaker")]
    assert speakers and len(speakers) == len(set(speakers)), speakers  # each speaker named once


def test_the_story_page_fits_a_phone(browser: webdriver.Chrome, base_url: str) -> None:
    browser.set_window_size(390, 844)
    try:
        browser.get(base_url + "/stories/1")
        overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page is {overflow} px wider than a phone"
        if SCREENSHOTS:
            browser.save_screenshot(str(Path(SCREENSHOTS) / "story-phone.png"))
    finally:
        browser.set_window_size(1280, 1400)


def test_highlighting_can_be_turned_off_inside_the_article(browser: webdriver.Chrome, base_url: str) -> None:
    browser.get(base_url + "/articles/2")
    quote = browser.find_element(By.CSS_SELECTOR, "article.text span.quote")
    shade = lambda: browser.execute_script("return getComputedStyle(arguments[0]).backgroundColor", quote)  # noqa: E731
    assert shade() not in ("rgba(0, 0, 0, 0)", "transparent")
    browser.find_element(By.CSS_SELECTOR, "label[for=plain]").click()
    assert shade() in ("rgba(0, 0, 0, 0)", "transparent")
