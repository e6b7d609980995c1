"""The explorer saved as a page: pair text stays text inside its <script>, and it renders offline.

The browser test (marked ``browser``: ``make test-lab``, which CI runs with Debian's chromium)
opens the saved page from disk in headless Chromium with the network switched off.
"""

import json
import time

import pandas as pd
import pytest
from test_lab_browser import CHROMEDRIVER, CHROMIUM, browser  # noqa: F401  (browser: the Chromium fixture)

import trustkit
from trustkit.explorer import page

PAYLOAD = '</script><img src=x onerror="window.__pwned = 1"><!--'


def _scored():
    return pd.DataFrame(
        {
            "pair_id": [1, 2, 3],
            "bias_type": ["age", "age", "gender"],
            "direction": "stereo",
            "delta": [0.5, -1.0, 2.0],
            "sent_more": [PAYLOAD, "Old people are slow.", "He cried\u2028& left."],
            "sent_less": ["Young <b>people</b>.", "Young people are slow.", "She cried & left."],
        }
    )


def _spec_block(html: str) -> tuple[str, dict]:
    """The page's last <script> block (the one that holds the spec) and the spec parsed from it."""
    block = html[html.rindex("<script") :]
    decoder = json.JSONDecoder()
    for start in (i for i, c in enumerate(block) if c == "{"):
        try:
            value, _ = decoder.raw_decode(block, start)
        except ValueError:
            continue
        if isinstance(value, dict) and "datasets" in value:
            return block, value
    raise AssertionError("the page holds no spec")


@pytest.mark.parametrize("how", ["chart.save", "Explorer.save", "chart.to_html"])
def test_every_save_path_escapes_pair_text_for_the_script_block(tmp_path, how):
    explorer = trustkit.explore(_scored())
    out = tmp_path / "x.html"
    if how == "chart.save":
        explorer.chart.save(str(out))
    elif how == "Explorer.save":
        explorer.save(out)
    else:
        out.write_text(explorer.chart.to_html(), encoding="utf-8")
    html = out.read_text(encoding="utf-8")
    block, spec = _spec_block(html)
    assert block.count("</script>") == 1  # no pair text closed the block early
    assert "<img" not in block and "<b>" not in block and "\u2028" not in html
    values = [v for d in spec["datasets"].values() for row in d for v in row.values()]
    assert PAYLOAD in values and "He cried\u2028& left." in values  # the same text, escaped


@pytest.mark.parametrize("how", ["Explorer.save", "chart.save"])
def test_without_vl_convert_the_page_says_it_needs_the_network(tmp_path, monkeypatch, how):
    monkeypatch.setattr(page, "vega_bundle", lambda: None)
    explorer = trustkit.explore(_scored())
    out = tmp_path / "cdn.html"
    explorer.save(out) if how == "Explorer.save" else explorer.chart.save(str(out))
    html = out.read_text(encoding="utf-8")
    assert page.NETWORK_NOTE.split(":")[0] in html and 'src="https://cdn.jsdelivr.net/npm/vega@' in html
    block, _ = _spec_block(html)
    assert block.count("</script>") == 1 and "<img" not in block


@pytest.mark.browser
def test_the_saved_page_runs_no_payload_and_renders_with_no_network(tmp_path, browser):  # noqa: F811
    for tool in (CHROMIUM, CHROMEDRIVER):
        assert tool.is_file(), f"{tool} is missing: apt-get install chromium chromium-driver"
    assert page.vega_bundle() is not None, "vl-convert-python (the lab extra) embeds vega in the page"
    out = tmp_path / "explorer.html"
    trustkit.explore(_scored()).chart.save(str(out))
    assert "cdn.jsdelivr" not in out.read_text(encoding="utf-8")
    driver = browser
    try:
        driver.set_network_conditions(offline=True, latency=0, throughput=0)
        driver.get(out.as_uri())
        end = time.monotonic() + 60
        while time.monotonic() < end and driver.execute_script("return document.readyState") != "complete":
            time.sleep(0.1)
        assert driver.execute_script("return typeof window.__pwned") == "undefined"
        assert driver.execute_script("return document.querySelectorAll('img').length") == 0
        marks = 0
        while time.monotonic() < end and not marks:
            marks = driver.execute_script(
                "return document.querySelectorAll('#vis svg g.mark-rect path').length"
            )
            time.sleep(0.2)
        assert marks > 0, "the chart did not render offline"
        assert driver.execute_script("return typeof window.__pwned") == "undefined"
        requests = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        assert requests == []
        shown = driver.execute_script("return document.body.innerText")
        assert "Explore the scored pairs" in shown
    finally:
        driver.delete_network_conditions()
