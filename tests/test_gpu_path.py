"""The training path works on a machine with a preinstalled PyTorch and nothing else (as GPU machines often are):
with PyAV, plotly, umap-learn and the widget packages made unimportable, `python -m ntav_nb.cli` trains from a
built-in dataset, resumes, and imports the benchmark module; uint8 frames, channels-last and float16 with its
gradient scaler run on the CPU. What `tests/gpu_smoke.sh` needs on a GPU machine, rehearsed here."""
import json, os, subprocess, sys, textwrap
from pathlib import Path

MISSING = ('av', 'plotly', 'umap', 'pynndescent', 'anywidget', 'ipywidgets')

def _env(tmp_path):
    block = tmp_path/'block'; block.mkdir()
    (block/'sitecustomize.py').write_text(textwrap.dedent(f'''
        import sys
        class _Missing:
            def find_spec(self, name, path=None, target=None):
                if name.split('.')[0] in {MISSING!r}: raise ImportError(f"No module named {{name!r}} (not installed on this machine)")
        sys.meta_path.insert(0, _Missing())
    '''))
    root = Path(__file__).resolve().parents[1]
    return dict(os.environ, PYTHONPATH=f"{block}{os.pathsep}{root}", PYTHONUNBUFFERED='1')

def _run(args, env, cwd):
    r = subprocess.run([sys.executable, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return r

def test_train_without_optional_packages(tmp_path):
    env = _env(tmp_path)
    probe = subprocess.run([sys.executable, '-c', 'import av'], env=env, capture_output=True, text=True)
    assert probe.returncode != 0 and 'not installed' in probe.stderr, probe.stderr  # the block works
    _run(['-c', 'import ntav_nb.bench, ntav_nb.experiment, ntav_nb.cli, ntav_nb.recipes'], env, tmp_path)
    common = [f'data.root={tmp_path}/data', 'data.n_train=60', 'data.n_test=30', 'data.num_frames=2', 'data.size=32', 'data.batch_size=20',
              'data.uint8_video=true', 'data.num_workers=auto', 'train.channels_last=true', 'train.precision=16',
              'model.width=8', 'recipe=method', 'recipe_args.warmup_epochs=1', 'recipe_args.phase1_epochs=2', f'run_dir={tmp_path}/run']
    _run(['-m', 'ntav_nb.cli', 'train', *common, 'train.epochs=3'], env, tmp_path)
    _run(['-m', 'ntav_nb.cli', 'train', '--resume', *common, 'train.epochs=4'], env, tmp_path)
    metrics = [json.loads(l) for l in (tmp_path/'run'/'metrics.jsonl').read_text().splitlines()]
    assert [m['epoch'] for m in metrics] == [0, 1, 2, 3] and metrics[-1]['phase'] == 'phase 2', metrics
    assert json.loads((tmp_path/'run'/'config.json').read_text())['train']['precision'] == '16'
    import torch
    assert 'scaler' in torch.load(tmp_path/'run'/'checkpoint.pt', weights_only=True)  # float16's gradient scaler is checkpointed
    summary = json.loads((tmp_path/'run'/'summary.json').read_text())
    assert 0 <= summary['test_top1_last'] <= 1 and summary['processes'] == 1, summary
