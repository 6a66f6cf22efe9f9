"""README.md is written from nbs/index.ipynb by hand (no quarto here): check the two say the same."""
import json, re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def index_markdown():
    nb = json.loads((ROOT/'nbs'/'index.ipynb').read_text())
    return '\n\n'.join(''.join(c['source']).strip() for c in nb['cells'] if c['cell_type'] == 'markdown') + '\n'

def quick_start_lines(text):
    "The command lines in the fenced `sh` blocks of the Quick start section."
    section = text.split('## Quick start', 1)[1].split('\n## ', 1)[0]
    return [l.strip() for block in re.findall(r'```sh\n(.*?)```', section, re.S) for l in block.strip().splitlines()]

def test_readme_matches_index():
    assert (ROOT/'README.md').read_text() == index_markdown(), 'README.md differs from nbs/index.ipynb: copy the markdown cells over'

def test_quick_start_is_two_lines_setup_then_tests():
    setup, test = quick_start_lines((ROOT/'README.md').read_text())
    assert setup.startswith('python3 -m venv .venv && . .venv/bin/activate && pip install -e ".[dev]"'), setup
    assert 'nbdev_test' in test and 'pytest' in test, test
