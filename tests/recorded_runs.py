"""Record, or check, the summaries of a fixed sample of runs: a refactor must leave every result unchanged.

    python tests/recorded_runs.py record   # writes tests/recorded_runs.json (before a change)
    python tests/recorded_runs.py check    # trains the same runs again and compares (after it)

The sample: the demo's seed 0 (CE and the method, the full demo configuration) and one grid cell of every
recipe (avdigits, both20, seed 0, the grid preset), one synthav cell of the method and label-only, and CE on
clean labels. Each run trains in its own process with one torch thread, two processes at a time (about 10
minutes on two cores). Results are compared epoch by epoch (metrics.jsonl: every recorded figure, new ones allowed) and in summary.json; times and
folder names are left out. Identity is expected on the same machine and software; floating-point results
may differ on other hardware.
"""
import json, os, subprocess, sys, tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

RECORD = Path(__file__).with_name('recorded_runs.json')
GRID_RECIPES = ('ce', 'gce', 'sce', 'coteaching', 'corr_only', 'label_only', 'method',
                'method_no_estimator', 'method_no_category', 'method_no_phase2', 'method_no_correction')
RUNS = ([('demo', 'ce', 0), ('demo', 'method', 0)]
        + [('grid', 'avdigits', 'both20', r, 0) for r in GRID_RECIPES]
        + [('grid', 'synthav', 'sym50', 'method', 1), ('grid', 'synthav', 'sym50', 'label_only', 1),
           ('grid', 'avdigits', 'clean', 'ce', 1)])
IGNORE = ('time', 'time_recipe', 'time_eval', 'train_time_s', 'run_dir', 'processes')

def reproduces(now:dict, recorded:dict)->bool:
    "The same summary, and every epoch's recorded figures unchanged (figures added to the metrics since are allowed)."
    if now['summary'] != recorded.get('summary') or len(now['metrics']) != len(recorded.get('metrics', [])): return False
    return all(all(k in m and m[k] == v for k, v in w.items()) for m, w in zip(now['metrics'], recorded['metrics']))

def run_name(r): return '/'.join(map(str, r))

def config(r, out, root):
    "The run's configuration through the public API: the demo's `demo_config`, the grid's `bench_config`."
    if r[0] == 'demo':
        from ntav_nb.experiment import demo_config
        return demo_config(out, seed=r[2], recipe=r[1], root=root)
    from ntav_nb.bench import bench_config
    return bench_config(out, tuple(r[1:]), root=root)

def train_one(i:int, out:str, root:str):
    import torch; torch.set_num_threads(1)
    from ntav_nb.experiment import run
    cfg = config(RUNS[i], out, root)
    summary = run(cfg, progress=False)
    metrics = [json.loads(l) for l in (Path(cfg.run_dir)/'metrics.jsonl').read_text().splitlines() if l.strip()]
    clean = lambda d: {k: v for k, v in d.items() if k not in IGNORE}
    Path(out, f'result-{i}.json').write_text(json.dumps(dict(summary=clean(summary), metrics=[clean(m) for m in metrics])))

def train_all(root:str)->dict:
    out = tempfile.mkdtemp(prefix='ntav-recorded-')
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1', IN_TEST='1')
    def one(i):
        cmd = [sys.executable, __file__, 'one', str(i), out, root]
        subprocess.run(cmd, env=env, check=True)
        print(f'trained {run_name(RUNS[i])}', flush=True)
    for i in range(len(RUNS)):  # build every dataset once before training in parallel
        if RUNS[i][0] == 'grid' or i == 0:
            from ntav_nb.experiment import prepare_data
            prepare_data(config(RUNS[i], out, root).data, progress=False)
    with ThreadPoolExecutor(2) as ex: list(ex.map(one, range(len(RUNS))))
    return {run_name(r): json.loads(Path(out, f'result-{i}.json').read_text()) for i, r in enumerate(RUNS)}

if __name__ == '__main__':
    what = sys.argv[1] if len(sys.argv) > 1 else 'check'
    if what == 'one': train_one(int(sys.argv[2]), sys.argv[3], sys.argv[4]); sys.exit(0)
    root = os.environ.get('NTAV_DATA', 'nbs/data')
    results = train_all(root)
    if what == 'record':
        RECORD.write_text(json.dumps(results, indent=1)); print(f'recorded {len(results)} runs in {RECORD}')
    else:
        want, bad = json.loads(RECORD.read_text()), []
        for name, res in results.items():
            if not reproduces(res, want.get(name, {})): bad.append(name)
        for name in bad:
            w, g = want.get(name, {}), results[name]
            print(f'DIFFERS {name}:\n  recorded {w.get("summary")}\n  now      {g["summary"]}')
        print(f'{len(results) - len(bad)} of {len(results)} runs reproduce their recorded results exactly')
        sys.exit(1 if bad else 0)
