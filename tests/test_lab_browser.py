"""The notebooks as a student sees them: JupyterLab in headless Chromium, Run All, twice.

``make test-lab`` runs this module (it is marked ``browser`` and left out of ``make test``). It
starts JupyterLab on 127.0.0.1 with a token on copies of the notebooks carrying the ``lab`` profile's
parameters (the notebooks' own defaults; ``TRUSTKIT_LAB_PROFILE=smoke`` for seconds), opens each in Chromium
through the system chromedriver, runs all cells and waits for the kernel, then checks what is on the
page: no error or stderr output, every cell that saves a figure shows an image, progress widgets
render. It changes a parameter, runs all again in the same kernel and checks again, then saves the
notebook and opens it again in a new kernel: the figures are there and no widget shows "Error
displaying widget" (the lab settings are ``make lab``'s, tools/jupyterlab-overrides.json). Screenshots
of every figure cell and of the live-scoring form go to ``build/lab-browser/``.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import papermill
import pytest

from trustkit import profiles

pytestmark = pytest.mark.browser  # selenium comes with the lab extra: imported only when these run

REPO = Path(__file__).resolve().parents[1]
SHOTS = REPO / "build" / "lab-browser"
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
PROFILE = os.environ.get("TRUSTKIT_LAB_PROFILE", "lab")
#: appended to the parameters for the second Run All (02: the case that once showed no figure at all)
CHANGES = {
    "01_data": "n_examples = 2",
    "02_scoring": "n_pairs = n_pairs - 1",
    "03_paraphrase": "n_examples = 2",
    "04_sensitivity_thresholding": "alpha = 0.1",
    "05_landscape": "n_resamples = n_resamples // 2",
    "06_explore_and_report": "n_resamples = n_resamples // 2",
    "07_deployment_choices": "n_resamples = n_resamples // 2",
}
RUN_TIMEOUT = 900

# One round trip reads every cell: its source, its outputs in the model, and what the page shows.
READ_CELLS = """
const content = window.jupyterapp.shell.currentWidget.content, cells = content.widgets;
const widgetRenderer = content.rendermime.mimeTypes.includes('application/vnd.jupyter.widget-view+json');
return cells.map((cell, index) => {
  const outputs = cell.model.type === 'code' ? cell.model.outputs.toJSON() : [];
  const imgs = [...cell.node.querySelectorAll('.jp-OutputArea-output img')];
  return {index, type: cell.model.type, source: cell.model.sharedModel.getSource(),
          tags: cell.model.getMetadata('tags') || [], count: cell.model.executionCount ?? null,
          outputs, images: imgs.filter(i => i.complete && i.naturalWidth > 0).length,
          widgets: cell.node.querySelectorAll('.jp-OutputArea-output .jupyter-widgets').length,
          widgetRenderer,
          text: (cell.node.querySelector('.jp-Cell-outputWrapper') || {innerText: ''}).innerText};
});
"""
RUN_ALL = """
const done = arguments[arguments.length - 1];
const app = window.jupyterapp, panel = app.shell.currentWidget;
panel.sessionContext.ready
  .then(() => app.commands.execute('notebook:run-all-cells'))
  .then(ok => done({ok: !!ok}), err => done({error: String(err)}));
"""
FINISH = """
const done = arguments[arguments.length - 1];
const app = window.jupyterapp, panel = app.shell.currentWidget;
app.commands.execute('docmanager:save')
  .then(() => panel.sessionContext.shutdown())
  .then(() => done(true), () => done(false));
"""
KERNEL_STATUS = (
    "return window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel?.status || 'none';"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on 127.0.0.1 over parameterised copies of the notebooks; yields its base URL and token."""
    for tool in (CHROMIUM, CHROMEDRIVER):
        assert tool.is_file(), f"{tool} is missing: apt-get install chromium chromium-driver"
    overrides = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    wanted = json.loads((REPO / "tools" / "jupyterlab-overrides.json").read_text())
    assert overrides.is_file() and json.loads(overrides.read_text()) == wanted, (
        f"{overrides} does not hold tools/jupyterlab-overrides.json: run make lab-deps"
    )
    root = tmp_path_factory.mktemp("lab")
    figures = root / "figures"
    for name in profiles.notebook_names():
        params = {**profiles.profile_parameters(PROFILE, name), "figures_dir": str(figures)}
        papermill.execute_notebook(
            str(REPO / "notebooks" / f"{name}.ipynb"),
            str(root / f"{name}.ipynb"),
            parameters=params,
            prepare_only=True,
            kernel_name="python3",
        )
    settings = {  # every cell in the page, so a figure far down can be checked too; nothing fetched
        "notebook-extension/tracker": {"windowingMode": "none"},
        "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    }
    for name, values in settings.items():
        path = root / ".settings" / "@jupyterlab" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    token, port = os.urandom(16).hex(), _free_port()
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(root / ".settings"), "JUPYTER_PREFER_ENV_PATH": "1"}
    argv = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",
        *(["--allow-root"] if os.getuid() == 0 else []),
    ]
    log = (root / "jupyter.log").open("w")
    server = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                assert server.poll() is None, (root / "jupyter.log").read_text()
                time.sleep(0.5)
        yield base, token, root
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1440,1600",
    ):
        options.add_argument(flag)
    profile_dir = Path(os.environ.get("TMPDIR", "/tmp")) / f"trustkit-chromium-{os.getpid()}"
    options.add_argument(f"--user-data-dir={profile_dir}")
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_script_timeout(RUN_TIMEOUT)
    # Selenium's HTTP client gives up on chromedriver after 120 s by default, so a Run All that takes
    # longer on a slow or busy machine failed although the page was still working: wait as long as
    # the script itself may run.
    driver.command_executor.client_config.timeout = RUN_TIMEOUT + 60
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile_dir, ignore_errors=True)


def _wait(condition, timeout: float, what: str):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def _open(driver, url: str, notebook: str) -> None:
    driver.get(url)
    _wait(
        lambda: driver.execute_script(
            "const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
            "return !!(w && w.content && w.content.widgets && w.content.widgets.length && w.sessionContext);"
        ),
        120,
        f"JupyterLab to open {notebook}",
    )


def _run_all(driver) -> list[dict]:
    result = driver.execute_async_script(RUN_ALL)
    assert result.get("ok"), f"Run All failed: {result}"
    _wait(lambda: driver.execute_script(KERNEL_STATUS) == "idle", 120, "the kernel to go idle")
    time.sleep(1)  # let the last outputs and images render
    return driver.execute_script(READ_CELLS)


def _problems(cells: list[dict]) -> list[str]:
    problems = []
    for cell in cells:
        if cell["type"] != "code":
            continue
        where = f"cell {cell['index']}"
        if cell["count"] is None:
            problems.append(f"{where} did not run")
        for out in cell["outputs"]:
            if out["output_type"] == "error":
                problems.append(f"{where}: {out['ename']}: {out['evalue']}")
            elif out["output_type"] == "stream" and out.get("name") == "stderr":
                problems.append(f"{where}: stderr: {''.join(out['text'])[:300]}")
        if "Loading weights" in json.dumps(cell["outputs"]):  # a widget that breaks a reopened notebook
            problems.append(f"{where}: transformers' Loading weights bar")
        if "Error displaying widget" in cell["text"]:
            problems.append(f"{where}: Error displaying widget")
        if "save_figure(" in cell["source"] and cell["images"] == 0:
            problems.append(f"{where} saves a figure but shows no image")
    # Bars made with leave=False close themselves when done and leave an empty output, so the
    # check is that JupyterLab can render widgets at all (the widget manager is loaded); one that
    # cannot shows "Error displaying widget", caught above.
    wanted = sum(
        "application/vnd.jupyter.widget-view+json" in o.get("data", {}) for c in cells for o in c["outputs"]
    )
    if wanted and not all(c["widgetRenderer"] for c in cells):
        problems.append(f"{wanted} widget outputs (progress bars) and no widget renderer in JupyterLab")
    return problems


def _screenshots(driver, notebook: str, run: str, cells: list[dict]) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    nodes = driver.execute_script(
        "return window.jupyterapp.shell.currentWidget.content.widgets.map(c => c.node);"
    )
    for cell in cells:
        shown = "save_figure(" in cell["source"] or "live_scorer(" in cell["source"]
        if shown and cell["index"] < len(nodes):
            driver.execute_script("arguments[0].scrollIntoView()", nodes[cell["index"]])
            nodes[cell["index"]].screenshot(str(SHOTS / f"{notebook}_{run}_cell{cell['index']:02d}.png"))
    driver.save_screenshot(str(SHOTS / f"{notebook}_{run}_window.png"))


@pytest.mark.parametrize("notebook", list(profiles.notebook_names()))
def test_run_all_shows_every_figure_twice(lab, browser, notebook):
    base, token, root = lab
    url = f"{base}/lab/workspaces/{notebook}/tree/{notebook}.ipynb?reset&token={token}"
    _open(browser, url, notebook)
    timings = {}
    for run in ("first", "second"):
        if run == "second":  # a student changes a parameter and runs all again in the same kernel
            browser.execute_script(
                "const cell = window.jupyterapp.shell.currentWidget.content.widgets.find("
                "  c => (c.model.getMetadata('tags') || []).includes('injected-parameters'));"
                "cell.model.sharedModel.setSource(cell.model.sharedModel.getSource() + '\\n' + arguments[0]);",
                CHANGES[notebook],
            )
        start = time.monotonic()
        cells = _run_all(browser)
        timings[run] = round(time.monotonic() - start, 1)
        _screenshots(browser, notebook, run, cells)
        problems = _problems(cells)
        assert not problems, f"{notebook}, {run} Run All:\n" + "\n".join(problems)
        shown = sum(c["images"] for c in cells)
        expected = len(profiles.expected_figures(notebook))
        assert shown >= expected, f"{notebook}, {run} Run All: {shown} images shown, {expected} figures saved"
        print(
            f"{notebook} [{PROFILE}] {run} Run All: {timings[run]} s, {shown} images shown, {expected} saved"
        )
    browser.execute_async_script(FINISH)
    # Saved and opened again in a new kernel, as a student does the next day: the outputs are there
    # and no widget (the live-scoring form) shows "Error displaying widget: model not found".
    _open(browser, url, notebook)
    _wait(lambda: browser.execute_script(KERNEL_STATUS) == "idle", 120, "the new kernel to go idle")
    time.sleep(3)  # the widget manager restores its models, then renders the saved views
    cells = browser.execute_script(READ_CELLS)
    _screenshots(browser, notebook, "reopened", cells)
    broken = [c["index"] for c in cells if "Error displaying widget" in c["text"]]
    assert not broken, f"{notebook} reopened: cells {broken} show 'Error displaying widget'"
    for cell in (c for c in cells if "live_scorer(" in c["source"]):  # the saved form, with its note
        assert "not connected to a model" in cell["text"], f"{notebook} reopened: {cell['text'][:300]}"
    assert sum(c["images"] for c in cells) >= len(profiles.expected_figures(notebook))
    browser.execute_async_script(FINISH)


# --- the report card and the explorer (issue 16) -------------------------------------------------

REPORT_FIGURES = """
return [...document.querySelectorAll('figure img')].map(img => {
  const r = img.getBoundingClientRect();
  return {alt: img.alt, complete: img.complete, width: img.naturalWidth, shown: r.width > 100 && r.height > 50,
          src: img.getAttribute('src').slice(0, 22)};
});
"""
VEGA_MARKS = "return document.querySelectorAll(arguments[0]).length;"
# Every text the chart draws, with its box, and the boxes of the SVG and of the output area showing it.
CHART_TEXTS = """
const out = arguments[0], svg = out.querySelector('svg');
const box = el => { const r = el.getBoundingClientRect();
                    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
const seen = t => t.textContent.trim() && t.getAttribute('opacity') !== '0' && getComputedStyle(t).opacity !== '0';
const texts = [...svg.querySelectorAll('text')].filter(seen).map(t => ({
  text: t.textContent, box: box(t), size: parseFloat(getComputedStyle(t).fontSize) || 10,
  tokens: ['more', 'less'].find(s => t.closest('g.role-scope')?.querySelector(`g.detail_tokens_${s}_marks`)
                                  && t.closest('g.role-axis-label')
                                  && /^X-axis/.test(t.closest('g.role-axis')?.getAttribute('aria-label') || ''))
                || null}));
const area = out.closest('.jp-OutputArea-output') || out;
return {texts, svg: box(svg), area: box(area), scrollWidth: area.scrollWidth, clientWidth: area.clientWidth};
"""


def _layout_problems(layout: dict) -> list[str]:
    """Texts outside the SVG or the output area, and an output area that has to scroll sideways."""
    problems = []
    if layout["scrollWidth"] > layout["clientWidth"] + 1:
        problems.append(
            f"the chart is wider than the output ({layout['scrollWidth']} > {layout['clientWidth']} px)"
        )
    for frame in ("svg", "area"):
        outer = layout[frame]
        for t in layout["texts"]:
            b = t["box"]
            if (
                b["left"] < outer["left"] - 1
                or b["right"] > outer["right"] + 1
                or b["top"] < outer["top"] - 1
            ):
                problems.append(f"{t['text']!r} is cut by the {frame} edge: {b} not in {outer}")
    flat = [t for t in layout["texts"] if not t["tokens"]]  # the token labels are turned: checked apart
    for i, a in enumerate(flat):
        for b in flat[i + 1 :]:
            x = min(a["box"]["right"], b["box"]["right"]) - max(a["box"]["left"], b["box"]["left"])
            y = min(a["box"]["bottom"], b["box"]["bottom"]) - max(a["box"]["top"], b["box"]["top"])
            if x > 2 and y > 2:
                problems.append(f"{a['text']!r} and {b['text']!r} overprint each other")
    return problems


def _profile_report():
    """The report card of notebook 06's first model under this profile's parameters (scores from the cache)."""
    from trustkit.models import parse_control, random_control
    from trustkit.report import build_report
    from trustkit.scoring import load_scorer

    params = profiles.profile_parameters(PROFILE, "06_explore_and_report")
    if params["models"]:
        scorer = load_scorer(params["models"][0], progress=False)
    else:  # a profile that reports only its random control
        path = random_control(*parse_control(params["control"]), seed=params["seed"])
        scorer = load_scorer(path, random_control=True, progress=False)
    return build_report(
        scorer,
        params["dataset"],
        limit=params["n_pairs"],
        n_paraphrases=params["n_paraphrases"],
        paraphraser=params["backend"],
        seed=params["seed"],
        n_resamples=200,
        icc_n_resamples=5,
        progress=False,
        log=None,
    )


def test_report_card_renders_every_figure_offline(browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page, _ = _profile_report().write(SHOTS / "report_card.html", force=True)
    browser.get(page.as_uri())
    _wait(
        lambda: browser.execute_script("return document.readyState") == "complete", 60, "the report to load"
    )
    figures = browser.execute_script(REPORT_FIGURES)
    assert len(figures) == 4, figures
    for figure in figures:
        assert figure["complete"] and figure["width"] > 200 and figure["shown"], figure
        assert figure["src"] == "data:image/png;base64,", figure
    fetched = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name);")
    assert fetched == [], f"the report fetched {fetched}"
    assert "Bias score" in browser.find_element("id", "headline").text
    height = browser.execute_script("return document.body.scrollHeight")
    browser.set_window_size(1440, min(height + 100, 12000))
    browser.save_screenshot(str(SHOTS / "report_card.png"))
    browser.set_window_size(1440, 1600)


def _chart_node(browser):
    return browser.execute_script(
        "const el = [...document.querySelectorAll('.jp-OutputArea-output')]"
        ".find(o => o.querySelector('g.pair_rows_marks'));"
        "if (el) el.scrollIntoView(); return el || null;"
    )


def test_explorer_responds_to_a_selection(lab, browser):
    from PIL import Image, ImageChops
    from selenium.webdriver.common.action_chains import ActionChains

    base, token, root = lab
    notebook = "06_explore_and_report"
    browser.get(f"{base}/lab/workspaces/explore/tree/{notebook}.ipynb?reset&token={token}")
    _wait(
        lambda: browser.execute_script(
            "const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
            "return !!(w && w.content && w.content.widgets && w.content.widgets.length && w.sessionContext);"
        ),
        120,
        f"JupyterLab to open {notebook}",
    )
    assert not _problems(_run_all(browser))
    chart = _wait(lambda: _chart_node(browser), 60, "the explorer chart (Vega-Lite, SVG) to render")
    time.sleep(1)
    rows = browser.find_elements("css selector", "g.pair_rows_marks path")
    assert rows, "the pair table has no rows"
    assert browser.execute_script(VEGA_MARKS, "g.detail_tokens_more_marks path") == 0, (
        "nothing is selected yet"
    )
    layout = browser.execute_script(CHART_TEXTS, chart)
    shown = [t["text"] for t in layout["texts"]]
    assert sum(text.startswith("Click a row above") for text in shown) == 4, shown
    assert not _layout_problems(layout), _layout_problems(layout)
    SHOTS.mkdir(parents=True, exist_ok=True)
    before, after = SHOTS / "explore_before.png", SHOTS / "explore_after.png"
    chart.screenshot(str(before))
    ActionChains(browser).move_to_element(rows[0]).click().perform()
    _wait(
        lambda: browser.execute_script(VEGA_MARKS, "g.detail_tokens_more_marks path") > 0,
        30,
        "the detail view to show the selected pair's tokens",
    )
    assert browser.execute_script(VEGA_MARKS, "g.detail_wordings_marks path") > 0
    toolbar = browser.find_element("css selector", ".jp-NotebookPanel-toolbar")
    ActionChains(browser).move_to_element(
        toolbar
    ).perform()  # the mouse off the table: no tooltip in the picture
    time.sleep(0.5)
    chart.screenshot(str(after))
    browser.save_screenshot(str(SHOTS / "explore_window.png"))
    layout = browser.execute_script(CHART_TEXTS, chart)
    assert not _layout_problems(layout), _layout_problems(layout)
    assert not any(t["text"].startswith("Click a row") for t in layout["texts"]), "placeholder left"
    for sentence in ("more", "less"):
        labels = sorted(
            (t for t in layout["texts"] if t["tokens"] == sentence), key=lambda t: t["box"]["right"]
        )
        bars = browser.execute_script(VEGA_MARKS, f"g.detail_tokens_{sentence}_marks path")
        assert len(labels) == bars > 0, f"sent_{sentence}: {len(labels)} token labels for {bars} bars"
        # labels turned 60° end at their tick: neighbours are apart by (tick step) · sin 60°,
        # which must exceed the font size for them not to touch
        steps = [b["box"]["right"] - a["box"]["right"] for a, b in itertools.pairwise(labels)]
        assert min(steps, default=99) * 0.866 >= labels[0]["size"], (sentence, min(steps), labels[0]["size"])
    (SHOTS / "explore_after.svg").write_text(
        browser.execute_script("return arguments[0].querySelector('svg').outerHTML;", chart), encoding="utf-8"
    )
    table_bottom = browser.execute_script(
        "const t = document.querySelector('g.pair_rows_marks').getBoundingClientRect();"
        "const c = arguments[0].getBoundingClientRect(); return t.bottom - c.top;",
        chart,
    )
    _type_your_own_pair(browser)
    first, second = (Image.open(p).convert("RGB") for p in (before, after))
    box = (0, int(table_bottom) + 5, min(first.width, second.width), min(first.height, second.height))
    detail_before, detail_after = first.crop(box), second.crop(box)
    detail_before.save(SHOTS / "explore_detail_before.png")
    detail_after.save(SHOTS / "explore_detail_after.png")
    changed = (
        ImageChops.difference(detail_before, detail_after).convert("L").point(lambda v: 255 if v > 30 else 0)
    )
    assert sum(changed.histogram()[255:]) > 2000, "the detail view looks the same after selecting a pair"
    browser.execute_async_script(FINISH)


LIVE_VERDICT = "const f = document.querySelector('.trustkit-live-scorer'); return f ? f.innerText : null;"


def _type_your_own_pair(browser) -> None:
    """Notebook 06's live form: type a new sent_more, press Score, read the new Δ and its token bars."""
    form = _wait(
        lambda: browser.execute_script("return document.querySelector('.trustkit-live-scorer');"),
        60,
        "the live-scoring form",
    )
    browser.execute_script("arguments[0].scrollIntoView()", form)
    _wait(lambda: "Δ = " in (browser.execute_script(LIVE_VERDICT) or ""), 60, "the starting pair's Δ")
    first = browser.execute_script(LIVE_VERDICT)
    box = form.find_elements("css selector", "input[type=text]")[0]
    box.clear()
    box.send_keys("The old man was too frail to work.")
    time.sleep(1)  # the typed value reaches the kernel before the click does
    form.find_element("css selector", "button").click()
    _wait(lambda: browser.execute_script(LIVE_VERDICT) != first, 60, "the typed pair's Δ")
    _wait(
        lambda: browser.execute_script(VEGA_MARKS, ".trustkit-live-scorer g.live_tokens_more_marks path") > 0,
        60,
        "the typed pair's token bars",
    )
    time.sleep(1)
    text = browser.execute_script(LIVE_VERDICT)
    assert "Δ = " in text and ("the model prefers" in text or "a tie" in text), text
    labels = browser.execute_script(
        "return [...document.querySelectorAll('.trustkit-live-scorer g.role-axis-label text')]"
        ".map(t => t.textContent);"
    )
    # each label is "NN token" with ␣ for a leading space; a BPE tokenizer splits "frail" (" fra", "il")
    spelled = "".join(label.split(" ", 1)[-1].replace("␣", " ") for label in labels)
    assert "too frail to" in spelled, labels
    form.screenshot(str(SHOTS / "explore_live_pair.png"))
