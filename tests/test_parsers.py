"""Property-based tests of what a user types or hands over: noise specs, dotted overrides, manifests, noise-record files.

Each parser either gives the right answer or fails with a ValueError whose message says what is wrong; never another
exception (which the command line would show as a traceback).

The examples are drawn deterministically (profile 'ci'), so a CI run is reproducible; `HYPOTHESIS_PROFILE=explore pytest
tests/test_parsers.py` draws new ones each run."""
import csv, os, tempfile
from pathlib import Path
import numpy as np
from hypothesis import given, settings, strategies as st
from ntav_nb.noise import NoiseSpec, parse_noise_spec, LABEL_NOISE, CORR_NOISE
from ntav_nb.noise_record import make_noise_record, save_noise_record, load_noise_record
from ntav_nb.experiment import RunConfig, apply_overrides, validate_config, config_to_dict, config_from_dict
from ntav_nb.data import read_manifest

settings.register_profile('ci', derandomize=True, deadline=None)
settings.register_profile('explore', deadline=None)
settings.load_profile(os.environ.get('HYPOTHESIS_PROFILE', 'ci'))

rates = st.floats(0, 0.99, allow_nan=False)

@given(st.sampled_from((None, *LABEL_NOISE)), rates, st.sampled_from((None, *CORR_NOISE)), rates)
def test_noise_spec_round_trips(label, label_rate, corr, corr_rate):
    spec = NoiseSpec(label, label_rate if label else 0.0, corr=corr, corr_rate=corr_rate if corr else 0.0)
    assert parse_noise_spec(str(spec)) == spec
    assert parse_noise_spec(str(spec).upper().replace('=', ' = ')) == spec   # case and spaces do not matter

@given(st.text(alphabet='labelcorsympaiwhftdn=:,.0123456789- e', max_size=40))
def test_noise_spec_fails_only_with_a_message(text):
    try: spec = parse_noise_spec(text)
    except ValueError as e: assert str(e)
    else: assert 0 <= spec.label_rate < 1 and 0 <= spec.corr_rate < 1

KEYS = ('train.epochs', 'train.lr', 'train.wd', 'train.device', 'train.deterministic', 'train.precision', 'data.batch_size',
        'data.num_workers', 'data.size', 'noise.spec', 'noise.seed', 'model.encoder', 'model.emb_dim', 'recipe',
        'recipe_args.warmup_epochs', 'recipe_args.gamma', 'recipe_args.nope', 'train.nope', 'nope.key', 'train')
VALUES = st.one_of(st.sampled_from(['abc', '1', '0', '-1', '2.5', '1e400', 'NaN', 'true', 'maybe', 'none', 'auto', 'cuda:x',
                                    'gpu0', 'label=sym:0.4', 'label=sym:1.2', 'ce', 'method', '']), st.text(max_size=8))

@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(KEYS), VALUES), max_size=4))
def test_overrides_fail_only_with_a_message(pairs):
    try: cfg = apply_overrides(RunConfig(), [f'{k}={v}' for k, v in pairs])
    except ValueError as e: assert str(e); return
    try: validate_config(cfg)
    except (ValueError, FileNotFoundError) as e: assert str(e); return
    assert config_from_dict(config_to_dict(cfg)) == cfg   # a valid configuration survives its own round trip

@given(st.integers(1, 10_000), st.floats(1e-6, 10), st.sampled_from(['cpu', 'cpu:0']))
def test_valid_overrides_are_read_as_typed(epochs, lr, device):
    cfg = apply_overrides(RunConfig(), [f'train.epochs={epochs}', f'train.lr={lr!r}', f'train.device={device}', 'recipe=ce'])
    validate_config(cfg)
    assert (cfg.train.epochs, cfg.train.lr, cfg.train.device) == (epochs, lr, device)

field_text = st.text(alphabet=st.characters(codec='utf-8', exclude_categories=('Cs', 'Cc', 'Zl', 'Zp')), max_size=12)
rows = st.lists(st.tuples(field_text, field_text, st.sampled_from(['train', 'test', ' train ', 'val'])), min_size=1, max_size=6)

@settings(max_examples=200, deadline=None)
@given(rows, st.sampled_from(['utf-8', 'utf-8-sig']), st.sampled_from(['\n', '\r\n']))
def test_manifest_reads_back_or_fails_with_a_message(rows, encoding, newline):
    folder = Path(tempfile.mkdtemp())
    path = folder/'manifest.csv'
    with open(path, 'w', newline='', encoding=encoding) as f:
        w = csv.writer(f, lineterminator=newline)
        w.writerow(['video', 'label', 'split'])
        w.writerows(rows)
    try: m = read_manifest(path)
    except ValueError as e: assert str(e); return
    assert [(c.video, c.label, c.split) for c in m.clips] == [(v.strip(), l.strip(), s.strip()) for v, l, s in rows]
    assert all(c.label for c in m.clips) and all((folder/c.video).resolve().is_relative_to(folder.resolve()) for c in m.clips)

@settings(max_examples=60, deadline=None)
@given(st.integers(12, 300), st.integers(2, 9), st.sampled_from(['sym', 'pair', 'idn']), rates,
       st.sampled_from(['swap', 'shuffle', 'shift']), rates, st.integers(0, 2**31 - 1))
def test_noise_record_round_trips(n, num_classes, label, label_rate, corr, corr_rate, seed):
    y = np.random.default_rng(seed).integers(0, num_classes, n)
    try: record = make_noise_record(y, num_classes, spec=str(NoiseSpec(label, label_rate, corr=corr, corr_rate=corr_rate)), seed=seed, wave_len=16000)
    except ValueError as e: assert 'corr=swap cannot give' in str(e); return   # too many swaps for a dominant class: refused, with the feasible rate
    stem = Path(tempfile.mkdtemp())/'noise'
    save_noise_record(record, stem)
    assert load_noise_record(stem) == record
    assert np.array_equal(load_noise_record(stem).true_labels, y)
