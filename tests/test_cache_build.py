"""The decode-once cache built by several processes: killed with SIGKILL mid-build and resumed, it equals a build by one process."""
import json, os, signal, subprocess, sys, time
from pathlib import Path
import numpy as np
from ntav_nb.media import DecodeSettings
from ntav_nb.data import make_fixture_tree, read_manifest, build_cache, cache_path

SETTINGS = dict(num_frames=4, size=64)

def same_cache(a:Path, b:Path):
    "Byte-identical arrays and the same index.json but its creation time."
    for name in ('frames.npy', 'audio.npy', 'labels.npy'): assert (a/name).read_bytes() == (b/name).read_bytes(), name
    ia, ib = (json.loads((p/'index.json').read_text()) for p in (a, b))
    ia.pop('created'); ib.pop('created')
    assert ia == ib

def test_killed_parallel_build_resumes_to_the_single_process_cache(tmp_path):
    m = make_fixture_tree(tmp_path/'media', per_class=30)   # 90 good clips per split and the 7 broken ones
    st = DecodeSettings(**SETTINGS)
    ref = build_cache(m, 'train', cache_root=tmp_path/'one', settings=st, progress=False, jobs=1)
    code = ("import sys; from ntav_nb.media import DecodeSettings; from ntav_nb.data import read_manifest, build_cache; "
            f"build_cache(read_manifest(sys.argv[1]), 'train', cache_root=sys.argv[2], settings=DecodeSettings(**{SETTINGS!r}), "
            "progress=False, jobs=2, flush_every=1)")
    p = subprocess.Popen([sys.executable, '-c', code, str(tmp_path/'media/manifest.csv'), str(tmp_path/'two')], start_new_session=True)
    part = cache_path(m, 'train', cache_root=tmp_path/'two', settings=st).with_name(
        cache_path(m, 'train', cache_root=tmp_path/'two', settings=st).name + '.partial')
    deadline, done = time.time() + 120, 0
    while time.time() < deadline and p.poll() is None:
        try: done = int(np.load(part/'done.npy').sum())
        except (OSError, ValueError, EOFError): done = 0   # not written yet, or being replaced
        if done >= 10: break
        time.sleep(0.005)
    os.killpg(p.pid, signal.SIGKILL); p.wait()
    assert 10 <= done < len(m.select('train')), f"the build was not caught mid-way ({done} clips done)"
    assert part.exists() and not (part/'index.json').exists()
    resumed = build_cache(read_manifest(tmp_path/'media/manifest.csv'), 'train', cache_root=tmp_path/'two', settings=st, progress=False, jobs=2)
    assert not part.exists()
    same_cache(resumed, ref)
