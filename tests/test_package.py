"""The package builds, installs without the development extra, and every exported module imports."""
import json, subprocess, sys, venv
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT/'ntav_nb'

def exported_modules():
    "Module names generated from the notebooks (every .py under ntav_nb except private ones)."
    return sorted('ntav_nb.' + '.'.join(p.relative_to(LIB).with_suffix('').parts)
                  for p in LIB.rglob('*.py') if not p.name.startswith('_'))

@pytest.fixture(scope='module')
def dist(tmp_path_factory):
    out = tmp_path_factory.mktemp('dist')
    subprocess.run([sys.executable, '-m', 'build', '--outdir', str(out), str(ROOT)], check=True,
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return out

def test_builds_wheel_and_sdist(dist):
    wheels, sdists = list(dist.glob('ntav_nb-*.whl')), list(dist.glob('ntav_nb-*.tar.gz'))
    assert len(wheels) == 1 and len(sdists) == 1, list(dist.iterdir())

def test_wheel_installs_in_clean_venv_and_imports(dist, tmp_path):
    env_dir = tmp_path/'venv'
    venv.create(env_dir, with_pip=True)
    py = env_dir/'bin'/'python'
    wheel = next(dist.glob('ntav_nb-*.whl'))
    subprocess.run([str(py), '-m', 'pip', 'install', '-q', str(wheel)], check=True)
    mods = exported_modules()
    assert 'ntav_nb.core' in mods and 'ntav_nb.cli' in mods, mods
    code = f"import importlib, json; [importlib.import_module(m) for m in {mods!r}]; print(json.dumps({mods!r}))"
    res = subprocess.run([str(py), '-c', code], check=True, capture_output=True, text=True, cwd=tmp_path)
    assert json.loads(res.stdout) == mods
    # the dev extra (nbdev) must not be needed at import time
    res = subprocess.run([str(py), '-c', 'import importlib.util as u; print(u.find_spec("nbdev") is None)'],
                         capture_output=True, text=True, check=True)
    assert res.stdout.strip() == 'True'
    res = subprocess.run([str(env_dir/'bin'/'ntav'), '--version'], capture_output=True, text=True, check=True)
    import ntav_nb
    assert res.stdout.strip() == f'ntav_nb {ntav_nb.__version__}'
