"""Replaying the test and feature-bank loaders changes nothing a run computes: the method trained with
`data.replay_gib` at its default (both loaders kept in memory after their first pass) and at 0 (every pass decoded
again) writes the same metrics, epoch by epoch."""
import dataclasses, json
from pathlib import Path
from ntav_nb.experiment import demo_config, run, build_learner, ModelConfig
from ntav_nb.data import ReplayLoader

def _config(tmp_path, name, **data):
    cfg = demo_config(tmp_path/'runs', recipe='method', quick=True, root=tmp_path/'data', epochs=5)
    return dataclasses.replace(cfg, run_dir=str(tmp_path/name), model=ModelConfig(width=8, emb_dim=32),
                               data=dataclasses.replace(cfg.data, n_train=60, n_test=40, batch_size=20, num_frames=4, size=32, **data))

def _metrics(cfg):
    run(cfg, progress=False)
    lines = (Path(cfg.run_dir)/'metrics.jsonl').read_text().splitlines()
    return [{k: v for k, v in json.loads(l).items() if not k.startswith('time')} for l in lines]

def test_replayed_passes_give_the_same_run(tmp_path):
    on, off = _config(tmp_path, 'on'), _config(tmp_path, 'off', replay_gib=0.0)
    a, b = _metrics(on), _metrics(off)
    assert [m['phase'] for m in a] == ['warm-up'] * 2 + ['phase 1'] * 2 + ['phase 2'], a
    assert a == b
    for cfg, kept in ((on, True), (off, False)):
        learn, _ = build_learner(cfg, progress=False)
        assert not isinstance(learn.train_dl, ReplayLoader)   # the training loader shuffles and augments: never replayed
        learn.fit(2)
        assert (learn.test_dl.kept, learn.recipe.bank_dl.kept) == (kept, kept)
        learn.close()
