"""Every recipe trains on precomputed features, through `run` and through the command line, as it does on clips."""
import contextlib, io
import numpy as np
import pytest
from ntav_nb.cli import main
from ntav_nb.features import write_features, synthetic_features
from ntav_nb.experiment import RunConfig, DataConfig, NoiseConfig, ModelConfig, TrainConfig, run
from ntav_nb.recipes import recipe_names, get_recipe
from ntav_nb.rundir import RunDir

NOISE = 'label=sym:0.4,corr=swap:0.4'

@pytest.fixture(scope='module')
def feats(tmp_path_factory):
    "1,000 clips of 5 classes: 24 visual and 16 audio numbers each."
    return write_features(tmp_path_factory.mktemp('feats')/'f', **synthetic_features(1000, num_classes=5, dims=(24, 16), noise=2.0, seed=0))

@pytest.mark.parametrize('recipe', recipe_names())
def test_every_recipe_trains_on_features(feats, tmp_path, recipe):
    cfg = RunConfig(data=DataConfig(dataset=str(feats), batch_size=50), noise=NoiseConfig(spec=NOISE),
                    model=ModelConfig(encoder='mlp', width=32, emb_dim=16), train=TrainConfig(epochs=6, lr=1e-2),
                    recipe=recipe, recipe_args=get_recipe(recipe).preset('quick'), run_dir=str(tmp_path/'run'))
    s = run(cfg, progress=False)
    assert s['test_top1_last'] > 0.5, s   # chance is 0.2; the features separate the classes, the labels are 40 % wrong
    rd = RunDir(tmp_path/'run')
    assert len(rd.read_metrics()) == 6 and rd.has_noise()
    if recipe in ('corr_only', 'method'):   # their estimator sees the swapped audio features
        last = rd.read_metrics()[-1]
        assert last['detect_auc'] > 0.6, last

def test_cli_trains_on_features_and_refuses_what_features_cannot_do(feats, tmp_path):
    def cli(*argv):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err): code = main([str(a) for a in argv])
        return code, out.getvalue(), err.getvalue()
    base = [f'data.dataset={feats}', 'model.encoder=mlp', 'model.width=32', 'data.batch_size=50', 'train.lr=0.01', 'train.epochs=6',
            'recipe_args.warmup_epochs=2', 'recipe_args.phase1_epochs=4']
    code, out, err = cli('train', *base, f'noise.spec={NOISE}', f'run_dir={tmp_path}/r')
    assert code == 0, err
    assert RunDir(tmp_path/'r').read_summary()['test_top1_last'] > 0.5, out
    code, out, err = cli('train', *base, 'noise.spec=corr=shift:0.3', f'run_dir={tmp_path}/r2')
    assert code == 2 and 'corr=swap or corr=shuffle' in err and 'Traceback' not in err, err
    code, out, err = cli('train', *base, 'data.test_split=val', f'run_dir={tmp_path}/r3')
    assert code == 2 and "split 'val' is not in" in err and "['test', 'train']" in err, err
    assert not (tmp_path/'r2').exists() and not (tmp_path/'r3').exists()
    bad = tmp_path/'bad.npz'
    np.savez(bad, visual=np.zeros((10, 4), np.float32), audio=np.zeros((9, 4), np.float32), label=np.zeros(10, int), split=np.array(['train'] * 10))
    code, out, err = cli('train', f'data.dataset={bad}', 'model.encoder=mlp', f'run_dir={tmp_path}/r4')
    assert code == 2 and 'different numbers of rows' in err and 'audio 9' in err, err

def test_views_on_features_show_what_is_known(feats, tmp_path):
    "The dashboard's clip panel shows a feature clip's labels and w without frames or sound; an audit, which needs both, refuses."
    from ntav_nb.core import BadValue
    from ntav_nb.features import FeatureDataset
    from ntav_nb.noise_record import NoisyAV
    from ntav_nb.dashboard import clip_widget
    from ntav_nb.audit import Audit
    noisy = NoisyAV.from_spec(FeatureDataset(feats, 'train'), NOISE, seed=0)
    box = clip_widget(noisy, 3, w=np.full(len(noisy), 0.25), truth=noisy.truth())
    assert box.facts['w'] == 0.25 and 'no frames or sound' in box.children[0].value, box.children[0].value
    cfg = RunConfig(data=DataConfig(dataset=str(feats), batch_size=50), noise=NoiseConfig(spec=NOISE), model=ModelConfig(encoder='mlp', width=16),
                    train=TrainConfig(epochs=2), recipe='corr_only', recipe_args=dict(warmup_epochs=1), run_dir=str(tmp_path/'run'))
    run(cfg, progress=False)
    with pytest.raises(BadValue, match='precomputed features'): Audit(tmp_path/'run')
