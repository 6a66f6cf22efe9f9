"""A recipe registered in one place — its own module, one decorator — trains through `run`, the CLI and the bench's
grid runner without a change to any module of the package."""
import json, os, subprocess, sys
from pathlib import Path

RECIPE_MODULE = '''
import torch.nn.functional as F
from ntav_nb.recipes import register_recipe
from ntav_nb.trainer import Recipe

@register_recipe('visual_ls', about='label-smoothed CE on the visual head (a recipe defined outside the package)', grid=False)
class VisualSmoothed(Recipe):
    "Cross-entropy with label smoothing on the visual head alone."
    presets = dict(quick=dict(smoothing=0.05))
    def __init__(self, smoothing:float=0.1): self.smoothing = smoothing
    @classmethod
    def schedule(cls, hp): return (('visual', 0),)
    def loss(self, out, batch): return F.cross_entropy(out.logits_v, batch[2], label_smoothing=self.smoothing, reduction='none')
    def predict(self, out): return out.logits_v
'''

def test_recipe_registered_in_one_place(tmp_path, monkeypatch):
    (tmp_path/'my_recipes.py').write_text(RECIPE_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv('PYTHONPATH', os.pathsep.join(filter(None, [str(tmp_path), os.environ.get('PYTHONPATH')])))
    monkeypatch.setenv('NTAV_RECIPE_MODULES', 'my_recipes')   # how other processes (CLI, grid workers) find it
    from ntav_nb.recipes import get_recipe
    from ntav_nb.experiment import demo_config, run
    from ntav_nb import bench
    e = get_recipe('visual_ls')
    assert e.cls.__name__ == 'VisualSmoothed' and e.preset('quick') == dict(smoothing=0.05) and e.schedule() == (('visual', 0),)
    data, small = tmp_path/'data', ['data.n_train=60', 'data.n_test=40']
    # 1. run
    cfg = demo_config(tmp_path/'runs', recipe='visual_ls', quick=True, root=data, epochs=3)
    import dataclasses
    cfg = dataclasses.replace(cfg, data=dataclasses.replace(cfg.data, n_train=60, n_test=40, batch_size=20))
    s = run(cfg, progress=False)
    metrics = [json.loads(l) for l in (Path(cfg.run_dir)/'metrics.jsonl').read_text().splitlines()]
    assert [m['phase'] for m in metrics] == ['visual'] * 3 and s['recipe'] == 'visual_ls' and 0 <= s['test_top1_last'] <= 1
    # 2. the CLI, in another process: listed, and trained with an override of its hyper-parameter
    ntav = Path(sys.executable).parent/'ntav'
    listed = subprocess.run([str(ntav), 'recipes'], capture_output=True, text=True, timeout=300)
    assert 'visual_ls' in listed.stdout and 'VisualSmoothed' in listed.stdout, listed.stdout + listed.stderr
    res = subprocess.run([str(ntav), 'train', 'recipe=visual_ls', 'recipe_args.smoothing=0.2', f'data.root={data}', *small, 'data.num_frames=4',
                          'data.size=32', 'data.batch_size=20', 'model.width=8', 'model.emb_dim=32', 'train.epochs=2', f'run_dir={tmp_path/"cli"}'],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    assert json.loads((tmp_path/'cli'/'config.json').read_text())['recipe_args'] == dict(smoothing=0.2)
    bad = subprocess.run([str(ntav), 'train', 'recipe=visual_ls', 'recipe_args.smoothng=0.2'], capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "has no argument(s) ['smoothng']" in bad.stderr, bad.stderr
    # 3. the bench's grid runner (worker processes)
    preset = dict(bench.BENCH_PRESET, epochs=2, n_train={'avdigits': 60}, n_test={'avdigits': 40}, batch_size=20)
    out = bench.run_grid(tmp_path/'grid', root=data, datasets=('avdigits',), settings=('sym20',), recipes=('visual_ls',), seeds=(0,), jobs=1, preset=preset)
    rows = bench.read_csv(Path(out).parent/'results.csv')
    assert [(r['recipe'], r['setting']) for r in rows] == [('visual_ls', 'sym20')], rows
