"""The views in a real browser: the live dashboard in JupyterLab and the HTML report, in headless Chromium.

Select with `pytest -m browser`. Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them) and the
`selenium` package (in the dev extras). Without them the tests are skipped, unless NTAV_REQUIRE_BROWSER=1 (as in CI),
which turns a missing browser into a failure. Screenshots go to NTAV_ARTIFACTS (default: tests/artifacts/).
"""
import json, os, shutil, socket, subprocess, sys, time, urllib.request
from pathlib import Path
import pytest

pytestmark = pytest.mark.browser
CHROMIUM, DRIVER = shutil.which('chromium'), shutil.which('chromedriver')
ARTIFACTS = Path(os.environ.get('NTAV_ARTIFACTS', Path(__file__).parent/'artifacts'))

def _need_browser():
    missing = [n for n, p in (('chromium', CHROMIUM), ('chromedriver (Debian: chromium-driver)', DRIVER)) if p is None]
    try: import selenium  # noqa: F401
    except ImportError: missing.append('selenium')
    if missing:
        msg = f"needs {', '.join(missing)}: apt-get install chromium chromium-driver; pip install selenium"
        if os.environ.get('NTAV_REQUIRE_BROWSER') == '1': pytest.fail(msg)
        pytest.skip(msg)

@pytest.fixture(scope='module')
def browser(tmp_path_factory):
    _need_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ('--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
              '--disable-component-update', '--disable-sync', f"--user-data-dir={tmp_path_factory.mktemp('chromium')}", '--window-size=1300,1500'):
        opts.add_argument(a)
    opts.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    d = webdriver.Chrome(options=opts, service=Service(DRIVER))
    yield d
    d.quit()

def _wait(fn, timeout, what, step=0.5):
    t0 = time.time()
    while time.time() - t0 < timeout:
        v = fn()
        if v: return v
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")

# counts, per plotly panel found by its title, of drawn scatter points / bars / table cells
PANEL_COUNTS_JS = """
const out = {};
for (const p of document.querySelectorAll('.js-plotly-plot')) {
  const t = (p.querySelector('.gtitle') || {}).textContent || '';
  const key = t.startsWith('Noise estimator') ? 'estimator' : t.startsWith('Feature clusters') ? 'umap'
            : t.startsWith('Label corrections') ? 'corrections' : (p.querySelector('.g-gtitle') ? 'curves' : 'other');
  out[key] = {points: p.querySelectorAll('.scatterlayer .point').length, bars: p.querySelectorAll('.barlayer .point').length,
              cells: p.querySelectorAll('.table .cell-text').length, title: t};
}
return out;"""

@pytest.fixture(scope='module')
def data_root(tmp_path_factory): return tmp_path_factory.mktemp('data')

def test_report_renders_every_panel(browser, tmp_path, data_root):
    from ntav_nb.experiment import run, demo_config
    from ntav_nb.report import write_report
    cfg = demo_config(tmp_path/'runs', recipe='method', quick=True, root=data_root, epochs=5)
    run(cfg, progress=False)
    report = write_report(cfg.run_dir)
    browser.get(Path(report).resolve().as_uri())
    counts = _wait(lambda: (lambda c: c if {'estimator', 'umap', 'corrections', 'curves'} <= set(c) and c['umap']['points'] else None)(
        browser.execute_script(PANEL_COUNTS_JS)), 60, 'the report\'s four panels')
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS/'report.png'))
    assert counts['umap']['points'] >= 100, counts          # the quick run's 300 clips (stratified subsample)
    assert counts['estimator']['bars'] > 0, counts
    assert counts['corrections']['cells'] > 0, counts
    assert counts['curves']['points'] > 0, counts

DASH_NOTEBOOK = [
    "import torch\n"
    "from ntav_nb.experiment import demo_config, build_learner\n"
    "from ntav_nb.dashboard import Dashboard\n"
    "import dataclasses\n"
    "cfg = demo_config('runs', recipe='method', root=DATA_ROOT, epochs=10)   # the demo's data and noise, a shorter schedule\n"
    "cfg = dataclasses.replace(cfg, recipe_args=dict(warmup_epochs=2, phase1_epochs=6))\n"
    "learn, noisy = build_learner(cfg, progress=False)\n"
    "dash = Dashboard(truth=noisy.truth(), clips=noisy, umap_every=3, umap_in='inline', max_overhead=None)\n"
    "learn.add_cbs([dash])",
    "learn.fit(cfg.train.epochs)\n"
    "print('TRAINING DONE')",
]

def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

@pytest.fixture
def jupyterlab(tmp_path, data_root):
    _need_browser()
    nb = dict(cells=[dict(cell_type='code', metadata={}, source=c.replace('DATA_ROOT', repr(str(data_root))), outputs=[], execution_count=None)
                     for c in DASH_NOTEBOOK],
              metadata=dict(kernelspec=dict(name='python3', display_name='Python 3', language='python')), nbformat=4, nbformat_minor=5)
    (tmp_path/'dash.ipynb').write_text(json.dumps(nb))
    settings = tmp_path/'.jupyter'/'lab'/'user-settings'/'@jupyterlab'/'apputils-extension'
    settings.mkdir(parents=True)
    (settings/'notification.jupyterlab-settings').write_text(json.dumps({'fetchNews': 'false'}))   # no news pop-up
    port = _free_port()
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path/'.jupyter'), JUPYTER_RUNTIME_DIR=str(tmp_path/'.runtime'),
               JUPYTERLAB_SETTINGS_DIR=str(tmp_path/'.jupyter'/'lab'/'user-settings'))
    env.pop('IN_TEST', None)
    proc = subprocess.Popen([sys.executable, '-m', 'jupyterlab', '--no-browser', f'--port={port}', '--IdentityProvider.token=',
                             '--ServerApp.password=', '--ServerApp.disable_check_xsrf=True', f'--ServerApp.root_dir={tmp_path}',
                             '--LabApp.expose_app_in_browser=True', '--ServerApp.ip=127.0.0.1', '--allow-root'],
                            env=env, stdout=open(tmp_path/'lab.log', 'w'), stderr=subprocess.STDOUT)
    def up():
        try: return urllib.request.urlopen(f'http://127.0.0.1:{port}/api', timeout=2).status == 200
        except Exception: return False
    try:
        _wait(up, 90, 'JupyterLab to start')
        yield f'http://127.0.0.1:{port}', tmp_path
    finally:
        proc.terminate()
        try: proc.wait(20)
        except subprocess.TimeoutExpired: proc.kill()

def test_dashboard_live_in_jupyterlab(browser, jupyterlab):
    from selenium.webdriver.common.action_chains import ActionChains
    url, root = jupyterlab
    browser.get(f'{url}/lab/tree/dash.ipynb')
    _wait(lambda: browser.execute_script("return !!(window.jupyterapp && document.querySelector('.jp-Notebook'))"), 120, 'the notebook to open')
    _wait(lambda: browser.execute_script(
        "const w = window.jupyterapp.shell.currentWidget; return !!(w && w.sessionContext && w.sessionContext.session && "
        "w.sessionContext.session.kernel && w.sessionContext.session.kernel.status === 'idle')"), 120, 'the kernel to start')
    browser.execute_script("window.jupyterapp.shell.collapseLeft(); window.jupyterapp.commands.execute('notebook:run-all-cells')")
    text = lambda: browser.execute_script("return [...document.querySelectorAll('.jp-OutputArea')].map(e => e.innerText).join('\\n')")  # outputs only
    try: _wait(lambda: 'TRAINING DONE' in text(), 600, 'the training cell to finish', step=2)
    except AssertionError:
        raise AssertionError('notebook output:\n' + text()[-3000:] + '\nserver log:\n' + (root/'lab.log').read_text()[-3000:])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try: counts = _wait(lambda: (lambda c: c if {'estimator', 'umap', 'corrections', 'curves'} <= set(c) and c['umap']['points'] else None)(
        browser.execute_script(PANEL_COUNTS_JS)), 120, 'the dashboard panels to render')
    except AssertionError:
        browser.save_screenshot(str(ARTIFACTS/'dashboard-failed.png'))
        raise AssertionError(f"panels found: {browser.execute_script(PANEL_COUNTS_JS)}; notebook text:\n{text()[-3000:]}")
    assert counts['estimator']['bars'] > 0 and counts['corrections']['cells'] > 0, counts
    titles = browser.execute_script("return [...document.querySelectorAll('.gtitle')].map(e => e.textContent)")
    errors = [l['message'] for l in browser.get_log('browser') if l['level'] == 'SEVERE']
    assert all('epoch 9' in t for t in titles if t.startswith(('Noise estimator', 'Feature clusters', 'Label corrections'))), (titles, errors[-5:])
    assert 'epoch 9' in text(), text()[-2000:]                       # the status line reached the last epoch
    assert counts['umap']['points'] >= 1000, counts                  # the demo's 1,347 clips, subsampled to at most 2,000
    assert browser.execute_script("return document.querySelectorAll('.jp-OutputArea audio').length") == 0
    # click a point of the cluster view: the clip view (frames, audio player, labels) appears below the panels
    umap_plot = browser.execute_script(
        "return [...document.querySelectorAll('.js-plotly-plot')].find(p => ((p.querySelector('.gtitle')||{}).textContent||'').startsWith('Feature clusters'))")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", umap_plot)
    point = umap_plot.find_elements('css selector', '.scatterlayer .point')[0]
    ActionChains(browser).move_to_element(point).pause(0.5).click().perform()
    _wait(lambda: browser.execute_script("return document.querySelectorAll('.jp-OutputArea audio').length") >= 1, 30, 'the clip view after a click')
    clip_text = browser.execute_script("return [...document.querySelectorAll('.jp-OutputArea .widget-html')].map(e => e.innerText).join(' | ')")
    assert 'clip ' in clip_text and 'observed' in clip_text and ' w ' in f' {clip_text} ', clip_text
    browser.execute_script("document.querySelector('.jp-OutputArea audio').scrollIntoView({block: 'end'})")
    browser.save_screenshot(str(ARTIFACTS/'dashboard-clip.png'))
    status = browser.execute_script("return [...document.querySelectorAll('.jp-OutputArea .widget-html')].find(e => e.innerText.startsWith('epoch'))")
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", status)
    browser.save_screenshot(str(ARTIFACTS/'dashboard.png'))
    auc = browser.execute_script("return [...document.querySelectorAll('.gtitle')].map(e => e.textContent).find(t => t.startsWith('Noise estimator'))")
    assert 'ROC-AUC' in auc, auc
