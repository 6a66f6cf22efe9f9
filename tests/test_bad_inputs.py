"""A battery of bad inputs against the command line, as a hostile but realistic user would type them.

Every user error must end with exit status 2 and a one-paragraph message that names the setting, file or value at
fault, print no traceback, and change no file (run folders, data, the user's own files). The last tests kill a
training process with SIGKILL and resume it, and refuse a resume that would train something else."""
import contextlib, io, json, os, shutil, signal, subprocess, sys, time
from pathlib import Path
import pytest
from ntav_nb.cli import main
from ntav_nb.data import make_fixture_tree

def run_cli(argv):
    "Run `main(argv)` in this process: (exit status, stdout, stderr)."
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try: code = main([str(a) for a in argv])
        except SystemExit as e: code = e.code
    return code, out.getvalue(), err.getvalue()

def snapshot(folder:Path)->dict:
    "Every file under `folder` with its size and modification time."
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob('*') if p.is_file()}

TINY = ['data.dataset=synthav', 'data.n_train=60', 'data.n_test=30', 'data.num_frames=2', 'data.size=32', 'data.batch_size=20',
        'recipe=ce', 'train.epochs=2']

@pytest.fixture(scope='module')
def place(tmp_path_factory):
    "A folder with built tiny data, a finished tiny run, a media fixture tree and a user's own folder."
    root = tmp_path_factory.mktemp('battery')
    code, out, err = run_cli(['train', *TINY, f'data.root={root}/data', f'run_dir={root}/run'])
    assert code == 0, err
    make_fixture_tree(root/'media')
    docs = root/'mydocs'; (docs/'samples').mkdir(parents=True)
    for f in ('config.json', 'metrics.jsonl', 'summary.json', 'noise.json', 'samples/epoch_000.npz'): (docs/f).write_text('USER')
    return root

def manifest(root:Path, name:str, text:str, encoding='utf-8')->Path:
    p = root/'media'/name; p.write_bytes(text.encode(encoding)); return p

GOOD_ROW = 'train/low/low_1.mp4,low,train'
CONFIG_CASES = [  # (overrides, what the message must say)
    (['noise.spec=label=sym:1.2'], 'label noise rate must be in [0, 1), got 1.2'),
    (['noise.spec=label=sym:-0.1'], 'label noise rate must be in [0, 1), got -0.1'),
    (['noise.spec=label=gauss:0.2'], "unknown label noise kind 'gauss'"),
    (['noise.spec=corr=swap'], 'needs a rate, e.g. corr=swap:0.3'),
    (['train.epoch=3'], "unknown key 'train.epoch' (did you mean 'train.epochs'?)"),
    (['nope.key=3'], "'nope' is not a section"),
    (['train=3'], "'train' is a section"),
    (['train.epochs=abc'], "train.epochs must be a whole number, got 'abc'"),
    (['train.epochs=0'], 'train.epochs must be at least 1'),
    (['train.lr=abc'], "train.lr must be a number, got 'abc'"),
    (['train.lr=-1'], 'train.lr must be > 0'),
    (['data.batch_size=2.5'], 'data.batch_size must be a whole number, got 2.5'),
    (['data.batch_size=1'], 'data.batch_size must be at least 2'),
    (['data.num_workers=many'], "data.num_workers must be a whole number ≥ 0 or 'auto'"),
    (['train.deterministic=maybe'], "train.deterministic must be true or false, got 'maybe'"),
    (['train.device=gpu0'], "train.device='gpu0' is not a device"),
    (['train.precision=fp8'], 'one of 32, bf16, 16'),
    (['recipe=nope'], "unknown recipe 'nope'"),
    (['recipe_args.warmup_epochs=abc', 'recipe=method'], "recipe_args.warmup_epochs must be a whole number, got 'abc'"),
    (['recipe_args.nope=1', 'recipe=method'], "has no argument(s) ['nope']"),
    (['model.encoder=vgg'], "unknown encoder 'vgg'"),
    (['model.weights=IMAGENET1K_V1'], 'model.weights is for model.encoder=resnet18'),
    (['data.dataset=/nonexistent/m.csv'], 'manifest /nonexistent/m.csv does not exist'),
    (['data.dataset=kinetics'], "data.dataset must be 'avdigits', 'synthav', a manifest .csv path or precomputed features"),
    (['data.dataset=/nonexistent/f.npz', 'model.encoder=mlp'], 'feature source /nonexistent/f.npz does not exist'),
    (['data.dataset=/nonexistent/f.npz'], 'holds precomputed features: train it with model.encoder=mlp'),
]

@pytest.mark.parametrize('overrides, says', CONFIG_CASES, ids=[' '.join(c[0]) for c in CONFIG_CASES])
def test_bad_settings_are_one_message_and_change_nothing(place, overrides, says):
    before = snapshot(place)
    code, out, err = run_cli(['train', *TINY, f'data.root={place}/data', *overrides, f'run_dir={place}/new'])
    assert code == 2 and says in err and 'Traceback' not in err and '\n\n' not in err.strip(), err
    assert snapshot(place) == before and not (place/'new').exists()

MANIFEST_CASES = [  # (file name, text, what the message must say)
    ('escape.csv', f'video,label,split\n../../etc/passwd,low,train\n{GOOD_ROW}\n', 'outside the root'),
    ('nocol.csv', 'path,label,split\nx.mp4,low,train\n', "lacks column(s) ['video']"),
    ('nolabel.csv', f'video,label,split\n{GOOD_ROW}\ntrain/mid/mid_1.mp4,,train\n', 'nolabel.csv:3: empty label for train/mid/mid_1.mp4'),
    ('novideo.csv', 'video,label,split\n,low,train\n', 'empty video path'),
    ('badtime.csv', 'video,label,split,start\ntrain/low/low_1.mp4,low,train,soon\n', "start/end must be seconds, got 'soon'"),
]

@pytest.mark.parametrize('name, text, says', MANIFEST_CASES, ids=[c[0] for c in MANIFEST_CASES])
def test_bad_manifests_are_one_message_and_change_nothing(place, name, text, says):
    path = manifest(place, name, text)
    before = snapshot(place)
    for argv in (['check-data', path], ['train', *TINY, f'data.dataset={path}', f'data.root={place}/data', f'run_dir={place}/new']):
        code, out, err = run_cli(argv)
        assert code == 2 and says in err and 'Traceback' not in err, (argv[0], err)
    assert snapshot(place) == before and not (place/'new').exists()

def test_bom_crlf_and_non_ascii_names_are_read(place):
    media = place/'media'
    shutil.copy(media/'train'/'low'/'low_1.mp4', media/'train'/'low'/'bas_été_1.mp4')
    path = manifest(place, 'excel.csv', '\ufeffvideo,label,split\r\ntrain/low/bas_été_1.mp4,low,train\r\ntrain/mid/mid_1.mp4,mid,test\r\n')
    code, out, err = run_cli(['check-data', path, '--size', '32'])
    assert code == 0 and 'usable: 2' in out and 'Traceback' not in err, out + err

def test_bad_media_are_reported_and_skipped_with_their_count(place):
    code, out, err = run_cli(['check-data', place/'media'/'manifest.csv', '--size', '32'])
    assert code == 0, err
    for problem in ('unreadable: 1', 'missing: 1', 'no_audio: 1', 'unknown_label: 1', 'silent: 1', 'short: 1'):
        assert problem in out, out

def test_bad_media_are_skipped_with_their_count_when_training(place):
    "Training on a manifest with broken files: the bad clips are left out and counted by reason; the run trains on the rest; the media are not touched."
    before = snapshot(place/'media')
    code, out, err = run_cli(['train', f"data.dataset={place/'media'/'manifest.csv'}", f'data.root={place}/mdata', 'data.num_frames=2',
                              'data.size=32', 'data.batch_size=4', 'recipe=ce', 'train.epochs=1', f'run_dir={place}/mrun'])
    assert code == 0 and 'Traceback' not in err, err
    said = next(l for l in err.splitlines() if l.startswith('train: '))
    for problem in ('missing: 1', 'unreadable: 1', 'no_audio: 1', 'unknown_label: 1'):
        assert problem in said, said
    assert 'index.json' in said, said
    assert json.loads(out[out.index('{'):])['test_top1_last'] >= 0
    assert snapshot(place/'media') == before

def test_a_users_folder_is_never_overwritten(place):
    docs = place/'mydocs'
    before = snapshot(place)
    code, out, err = run_cli(['train', *TINY, f'data.root={place}/data', f'run_dir={docs}'])
    assert code == 2 and f'run_dir {docs} is not empty' in err and 'Traceback' not in err, err
    assert snapshot(place) == before

def test_a_finished_run_is_not_trained_over_and_a_bad_resume_changes_nothing(place):
    run = place/'run'
    before = snapshot(place)
    for extra, says in ((['train.epochs=2'], 'already holds a run; resume it'),):
        code, out, err = run_cli(['train', *TINY, f'data.root={place}/data', f'run_dir={run}', *extra])
        assert code == 2 and says in err, err
    for extra, says in ((['noise.spec=label=sym:0.2'], "noise.spec: 'clean' there, 'label=sym:0.2' here"),
                        (['train.lr=0.5'], 'train.lr: 0.002 there, 0.5 here'), (['data.size=48'], 'data.size: 32 there, 48 here'),
                        (['train.epochs=1'], 'it has trained 2 epochs already')):
        code, out, err = run_cli(['train', '--resume', *TINY, f'data.root={place}/data', f'run_dir={run}', *extra])
        assert code == 2 and says in err and 'Traceback' not in err, err
    assert snapshot(place) == before

def test_damaged_checkpoints_are_refused_by_name(place, tmp_path):
    for name, damage in (('truncated', lambda b: b[:len(b) // 3]), ('empty', lambda b: b''), ('text', lambda b: b'not a checkpoint')):
        run = tmp_path/name; shutil.copytree(place/'run', run)
        ck = run/'checkpoint.pt'; ck.write_bytes(damage(ck.read_bytes()))
        code, out, err = run_cli(['eval', run, '--data', place/'data'])
        assert code == 2 and f'checkpoint {ck} cannot be read' in err and 'Traceback' not in err, err

def test_kill_9_then_resume_matches_an_uninterrupted_run(place, tmp_path):
    args = [*TINY[:-1], 'train.epochs=12', f'data.root={place}/data']
    code, out, err = run_cli(['train', *args, f'run_dir={tmp_path}/whole'])
    assert code == 0, err
    killed = tmp_path/'killed'
    proc = subprocess.Popen([sys.executable, '-c', 'import sys; from ntav_nb.cli import main; sys.exit(main(sys.argv[1:]))', 'train', *args,
                             f'run_dir={killed}'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t0 = time.time()
    while time.time() - t0 < 300 and proc.poll() is None:
        if (killed/'metrics.jsonl').exists() and len((killed/'metrics.jsonl').read_text().splitlines()) >= 2: break
        time.sleep(0.05)
    assert proc.poll() is None, 'the run ended before it could be killed'
    os.kill(proc.pid, signal.SIGKILL); proc.wait()
    code, out, err = run_cli(['train', '--resume', *args, f'run_dir={killed}'])
    assert code == 0, err
    strip = lambda f: [{k: v for k, v in json.loads(l).items() if not k.startswith('time')} for l in f.read_text().splitlines()]
    assert strip(killed/'metrics.jsonl') == strip(tmp_path/'whole'/'metrics.jsonl')
