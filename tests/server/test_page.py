"""The cashier's page in a real headless Chromium (Debian's chromium + chromedriver, driven by
Selenium): paste, upload and camera scan (Chromium's fake capture fed a frame holding a
QR code), the QR read back off the page, warnings and errors.

Set QRISKIT_SCREENSHOTS=<folder> to keep screenshots of the page for a person to look at.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

import qriskit
from tests.codes import STATIC

from .conftest import DYNAMIC, Live, picture

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
WAIT = 20


def _driver(*extra: str) -> WebDriver:
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.fail("Chromium is needed for the page tests: apt-get install chromium chromium-driver (.ci/run does)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,900", "--hide-scrollbars", "--no-first-run", "--disable-extensions", *extra):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    driver = _driver()
    yield driver
    driver.quit()


def _open(driver: WebDriver, live: Live) -> None:
    driver.get(live.url + "/healthz")  # same origin, no page script that could write storage back
    driver.execute_script("localStorage.clear(); sessionStorage.clear();")
    driver.get(live.url + "/")
    _wait(driver, lambda d: "server siap" in d.find_element(By.ID, "status").text)


def _wait(driver: WebDriver, condition: Callable[[WebDriver], Any]) -> Any:
    return WebDriverWait(driver, WAIT).until(condition)


def _text(driver: WebDriver, element_id: str) -> str:
    return str(driver.find_element(By.ID, element_id).text)


def _shot(driver: WebDriver, name: str) -> None:
    folder = os.environ.get("QRISKIT_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(folder) / f"{name}.png"))


def _paste(driver: WebDriver, code: str) -> None:
    area = driver.find_element(By.ID, "code-text")
    area.clear()
    area.send_keys(code)
    driver.find_element(By.ID, "read-text").click()


def _convert(driver: WebDriver, amount: str) -> str:
    """Type the amount, press the button, and read the QR off the page's own picture."""
    field = driver.find_element(By.ID, "amount")
    field.clear()
    field.send_keys(amount)
    driver.find_element(By.ID, "convert").click()
    image = driver.find_element(By.ID, "qr")
    _wait(driver, lambda d: d.execute_script(
        "const i = arguments[0]; return i.complete && i.naturalWidth > 0 && !i.closest('[hidden]')", image))
    return str(qriskit.decode_image(image.screenshot_as_png))


def test_paste_a_code_type_an_amount_and_scan_the_qr_off_the_page(browser: WebDriver, live: Live) -> None:
    _open(browser, live)
    _shot(browser, "0-empty")
    _paste(browser, STATIC)
    _wait(browser, lambda d: _text(d, "m-name") == "Toko Sejahtera")
    assert _text(browser, "m-city") == "Jakarta 12340"
    assert _text(browser, "m-nmid") == "ID1020017611473"
    assert "Kode statis valid" in _text(browser, "m-notice")
    browser.find_element(By.ID, "amount").send_keys("1500000")
    assert _text(browser, "amount-view") == "Rp 1.500.000"  # Indonesian grouping
    scanned = _convert(browser, "1500000")
    assert scanned == qriskit.to_dynamic(STATIC, 1500000)
    assert _text(browser, "r-amount") == "Rp 1.500.000"
    assert browser.find_element(By.ID, "payload").get_attribute("value") == scanned
    assert "scale=12" in (browser.find_element(By.ID, "download").get_attribute("href") or "")
    _shot(browser, "1-converted")
    assert _convert(browser, "25000.50") == qriskit.to_dynamic(STATIC, "25000.50")
    assert _text(browser, "r-amount") == "Rp 25.000,50"


def test_the_store_code_is_remembered_across_visits(browser: WebDriver, live: Live) -> None:
    _open(browser, live)
    _paste(browser, STATIC)
    _wait(browser, lambda d: _text(d, "m-name") == "Toko Sejahtera")
    browser.get(live.url + "/")
    _wait(browser, lambda d: _text(d, "m-name") == "Toko Sejahtera")
    assert not browser.find_element(By.ID, "code-input").is_displayed()
    browser.find_element(By.ID, "change-code").click()
    assert browser.find_element(By.ID, "code-text").is_displayed()


def test_a_picture_without_a_code_says_so(browser: WebDriver, live: Live, tmp_path: Path) -> None:
    from PIL import Image

    _open(browser, live)
    path = tmp_path / "blank.png"
    Image.new("L", (300, 300), 255).save(path)
    browser.find_element(By.ID, "tab-upload").click()
    browser.find_element(By.ID, "code-file").send_keys(str(path))
    _wait(browser, lambda d: d.find_element(By.ID, "message").is_displayed())
    assert "Tidak ada kode QR pembayaran" in _text(browser, "message")
    assert not browser.find_element(By.ID, "convert").is_enabled()


def test_upload_a_picture(browser: WebDriver, live: Live, tmp_path: Path) -> None:
    _open(browser, live)
    path = tmp_path / "qris.jpg"
    path.write_bytes(picture(fmt="JPEG", size=900))
    browser.find_element(By.ID, "tab-upload").click()
    assert browser.find_element(By.ID, "code-file").get_attribute("capture") == "environment"
    browser.find_element(By.ID, "code-file").send_keys(str(path))
    _wait(browser, lambda d: _text(d, "m-name") == "Toko Sejahtera")
    assert browser.find_element(By.ID, "code-text").get_attribute("value") == STATIC
    assert _convert(browser, "25000") == qriskit.to_dynamic(STATIC, 25000)


def test_a_dynamic_code_is_warned_about(browser: WebDriver, live: Live) -> None:
    _open(browser, live)
    _paste(browser, DYNAMIC)
    _wait(browser, lambda d: "sudah dinamis" in _text(d, "m-notice"))
    assert "Rp 5.000" in _text(browser, "m-notice")
    assert _text(browser, "m-kind") == "Dinamis"
    _shot(browser, "2-dynamic-warning")
    assert _convert(browser, "7000") == qriskit.to_dynamic(DYNAMIC, 7000)


def test_an_invalid_code_and_a_bad_amount(browser: WebDriver, live: Live) -> None:
    _open(browser, live)
    _paste(browser, STATIC[:-4] + "0000")
    _wait(browser, lambda d: "tidak valid" in _text(d, "m-notice"))
    notice = _text(browser, "m-notice")
    assert "angka pemeriksa (CRC) tidak cocok" in notice and "crc.mismatch: CRC mismatch" in notice
    assert not browser.find_element(By.ID, "convert").is_enabled()
    _shot(browser, "3-invalid")
    assert browser.find_element(By.ID, "code-text").is_displayed()  # the input stays open for another try
    _paste(browser, STATIC)
    _wait(browser, lambda d: "Kode statis valid" in _text(d, "m-notice"))
    field = browser.find_element(By.ID, "amount")
    field.send_keys("15.000")
    assert "Titik dibaca sebagai desimal" in _text(browser, "amount-error")
    field.clear()
    field.send_keys("abc")
    assert _text(browser, "amount-view") == "Rp ?"
    browser.find_element(By.ID, "convert").click()
    _wait(browser, lambda d: "not a plain decimal number" in _text(d, "amount-error"))  # the library's own words
    assert _text(browser, "amount-error").startswith("Nominal ditolak.")
    assert not browser.find_element(By.ID, "r-done").is_displayed()


def test_a_server_that_wants_a_key(browser: WebDriver, make_live: Callable[..., Live]) -> None:
    server = make_live(api_key="kasir-7")
    _open(browser, server)
    _paste(browser, STATIC)
    _wait(browser, lambda d: d.find_element(By.ID, "key-box").is_displayed())
    browser.find_element(By.ID, "key").send_keys("kasir-7")
    browser.find_element(By.ID, "key-save").click()
    _paste(browser, STATIC)
    _wait(browser, lambda d: _text(d, "m-name") == "Toko Sejahtera")
    assert _convert(browser, "1000") == qriskit.to_dynamic(STATIC, 1000)


def _y4m(path: Path, payload: str, frames: int = 10) -> None:
    """A Y4M video (what Chromium's fake capture reads): a gray frame holding the code."""
    from PIL import Image

    width, height = 640, 480
    code = qriskit.encode_image(payload, "pil", scale=4).convert("L")
    frame = Image.new("L", (width, height), 200)
    frame.paste(code, ((width - code.width) // 2, (height - code.height) // 2))
    luma = frame.tobytes()
    chroma = bytes([128]) * (width // 2 * height // 2)
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + luma + chroma + chroma)


def test_scan_with_the_camera(live: Live, tmp_path: Path) -> None:
    video = tmp_path / "counter.y4m"
    _y4m(video, STATIC)
    driver = _driver("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                     f"--use-file-for-fake-video-capture={video}")
    try:
        _open(driver, live)
        driver.find_element(By.ID, "tab-camera").click()
        _wait(driver, lambda d: _text(d, "m-name") == "Toko Sejahtera")
        assert driver.find_element(By.ID, "code-text").get_attribute("value") == STATIC
        assert driver.find_element(By.ID, "camera-hint").get_attribute("textContent") == "Kode terbaca."
        assert driver.execute_script("return document.getElementById('camera-video').srcObject") is None  # stopped
        assert _convert(driver, "12500") == qriskit.to_dynamic(STATIC, 12500)
    finally:
        driver.quit()


def test_the_page_loads_nothing_from_elsewhere(browser: WebDriver, live: Live) -> None:
    _open(browser, live)
    urls = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert urls and all(u.startswith(live.url + "/") for u in urls), urls
    html = (qriskit.__file__ and Path(qriskit.__file__).parent / "server" / "page" / "index.html").read_text()
    assert "http://" not in html and "https://" not in html
