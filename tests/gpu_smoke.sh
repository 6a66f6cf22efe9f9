#!/usr/bin/env bash
# GPU smoke test, one command, a few minutes: CUDA training on one GPU, then a 2-process DDP run (NCCL) when the
# machine has two GPUs or more. Usage: bash tests/gpu_smoke.sh [WORK_DIR]   (after the README's set-up command)
set -euo pipefail
out=${1:-$(mktemp -d)}
gpus=$(python -c 'import torch; print(torch.cuda.device_count() if torch.cuda.is_available() else 0)')
[ "$gpus" -ge 1 ] || { echo "no CUDA device visible to torch"; exit 1; }
python -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda, "|", torch.cuda.get_device_name(0), "| GPUs:", torch.cuda.device_count())'
common="data.root=$out/data data.dataset=avdigits data.num_frames=8 data.size=64 data.batch_size=64 recipe=method train.epochs=8
        recipe_args.warmup_epochs=2 recipe_args.phase1_epochs=4 noise.spec=label=sym:0.4,corr=swap:0.4 train.device=cuda"
check() {  # summary.json of a finished run: processes, accuracy above chance (10 classes), training time
  python - "$1" <<'PY'
import json, sys
s = json.load(open(sys.argv[1] + '/summary.json'))
print(f"{sys.argv[1]}: processes {s['processes']}, top-1 last {s['test_top1_last']:.3f}, best {s['test_top1_best']:.3f}, "
      f"detection AUC {s.get('detect_auc')}, train time {s['train_time_s']:.1f} s")
assert s['test_top1_last'] > 0.2, 'no better than chance'
PY
}
start=$(date +%s)
ntav train $common run_dir=$out/gpu1 > $out/gpu1.log
check $out/gpu1
if [ "$gpus" -ge 2 ]; then
  torchrun --standalone --nproc_per_node 2 "$(command -v ntav)" train $common run_dir=$out/gpu2 > $out/gpu2.log
  check $out/gpu2
  ntav train --resume $common train.epochs=9 run_dir=$out/gpu2 > $out/gpu2-resume.log   # 2-process checkpoint on 1 GPU
  check $out/gpu2
else echo "one GPU: the 2-process DDP run is skipped"; fi
echo "gpu smoke test passed in $(( $(date +%s) - start )) s"
