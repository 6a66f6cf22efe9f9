"""Two gloo processes under torchrun on the CPU train like one process from the same state, and checkpoints move
between 1 and 2 processes."""
import json, shutil, subprocess, sys
from pathlib import Path
import numpy as np

BIN = Path(sys.executable).parent

def common(root):
    return [f'data.root={root}', 'data.dataset=avdigits', 'data.n_train=120', 'data.n_test=61', 'data.num_frames=4', 'data.size=32',
            'data.batch_size=20', 'model.width=8', 'model.emb_dim=32', 'recipe=method', 'recipe_args.warmup_epochs=1',
            'recipe_args.phase1_epochs=2', 'recipe_args.theta_high=0.5', 'noise.spec=label=sym:0.4,corr=swap:0.4', 'train.lr=0.01']

def ntav(args, procs=1, check=True):
    cmd = ([str(BIN/'torchrun'), '--standalone', '--nproc_per_node', str(procs)] if procs > 1 else []) + [str(BIN/'ntav'), *args]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if check: assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-5000:]
    return res

def metrics(run_dir): return [json.loads(l) for l in (run_dir/'metrics.jsonl').read_text().splitlines()]

def test_two_processes_match_one(tmp_path):
    c = common(tmp_path/'data')
    base, one, two = tmp_path/'base', tmp_path/'one', tmp_path/'two'
    ntav(['train', *c, 'train.epochs=3', f'run_dir={base}'])                 # epochs 0-2 in one process
    shutil.copytree(base, one); shutil.copytree(base, two)
    ntav(['train', '--resume', *c, 'train.epochs=4', f'run_dir={one}'])      # epoch 3 (phase 2) in one process ...
    ntav(['train', '--resume', *c, 'train.epochs=4', f'run_dir={two}'], procs=2)  # ... and in two, from the same checkpoint
    assert json.loads((two/'summary.json').read_text())['processes'] == 2
    assert json.loads((one/'summary.json').read_text())['processes'] == 1
    # the per-epoch estimates come from the same state: the gathered bank gives the same weights and corrections
    s1, s2 = np.load(one/'samples'/'epoch_003.npz'), np.load(two/'samples'/'epoch_003.npz')
    for k in ('xmodal_loss', 'sim', 'w'): assert np.abs(s1[k] - s2[k]).max() < 1e-4, (k, np.abs(s1[k] - s2[k]).max())
    assert s1['xmodal_loss'].std() > 0.01  # a real spread of per-pair scores, not a constant
    assert (s1['train_label'] == s2['train_label']).all() and (s1['confident'] == s2['confident']).all()
    assert (s1['train_label'] != np.load(one/'samples'/'epoch_001.npz')['train_label']).any()  # corrections did happen
    # every clip has a merged loss and prediction; logs are written once (one line per epoch)
    assert np.isfinite(s2['loss']).all() and (s2['pred'] >= 0).all()
    m1, m2 = metrics(one), metrics(two)
    assert [m['epoch'] for m in m2] == [0, 1, 2, 3]
    for k in ('detect_auc', 'label_acc', 'noisy_fixed', 'clean_broken'): assert abs(m1[-1][k] - m2[-1][k]) < 1e-6, k
    # the test accuracy summed over the two shards equals a one-process evaluation of the same weights
    ev = json.loads(ntav(['eval', str(two)]).stdout)
    assert abs(ev['top1'] - m2[-1]['test_top1']) < 1e-9, (ev, m2[-1])
    # a checkpoint written by two processes resumes on one, and one written by one resumed on two above
    ntav(['train', '--resume', *c, 'train.epochs=5', f'run_dir={two}'])
    assert [m['epoch'] for m in metrics(two)] == [0, 1, 2, 3, 4]
