#!/usr/bin/env bash
# The GPU check, one command (4–5 minutes on one H100-class GPU by an estimate from a partial run on an H200; not yet
# timed end to end): CE and the method with ResNet-18 streams on
# 8 frames of 112×112 in bfloat16 for a few epochs, a stopped method run resumed, a 2-process DDP run when the machine
# has two GPUs or more, and the speed benchmark's ratios (fp32 / bf16 / fp16 clips/s, method ÷ CE steps, loader ÷
# training, peak GPU memory, share of the GPU's matmul rate).
#
# Usage: bash tests/gpu_smoke.sh [WORK_DIR]
#   after the README's set-up line, or on a machine with a preinstalled PyTorch and no package index: run it from the
#   repository root with the missing pure-Python wheels (fastcore, espeakng-loader) downloaded beforehand into a folder
#   and NTAV_WHEELS=that/folder; they are installed into WORK_DIR/site without touching anything else. PyAV, plotly and
#   umap-learn are not needed here. NTAV_SMOKE_DEVICE=cpu NTAV_SMOKE_TINY=1 rehearses the script on a CPU at a tiny size.
set -euo pipefail
out=$(realpath -m "${1:-$(mktemp -d)}"); mkdir -p "$out"
py=${PYTHON:-python3}
if [ -n "${NTAV_WHEELS:-}" ]; then
  "$py" -m pip install -q --no-index --no-deps --no-compile --target "$out/site" "$NTAV_WHEELS"/*.whl
  export PYTHONPATH="$out/site:$PWD${PYTHONPATH:+:$PYTHONPATH}"
fi
export PYTHONUNBUFFERED=1
ntav() { "$py" -m ntav_nb.cli "$@"; }
device=${NTAV_SMOKE_DEVICE:-cuda}
gpus=$("$py" -c 'import torch; print(torch.cuda.device_count() if torch.cuda.is_available() else 0)')
if [ "$device" = cuda ] && [ "$gpus" -lt 1 ]; then echo "no CUDA device visible to torch"; exit 1; fi
"$py" -c 'import torch, ntav_nb; print("ntav_nb", ntav_nb.__version__, "| torch", torch.__version__, "CUDA", torch.version.cuda, "|",
  torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU", "| GPUs:", torch.cuda.device_count())'
if [ -n "${NTAV_SMOKE_TINY:-}" ]; then
  size="data.n_train=64 data.n_test=40 data.num_frames=2 data.size=112 data.batch_size=16"; bench_size="--n-train 64 --frames 2 --batch-size 16"
else
  size="data.num_frames=8 data.size=112 data.batch_size=64"; bench_size="--frames 8"
fi
common="data.root=$out/data data.dataset=avdigits $size data.num_workers=auto model.encoder=resnet18 train.precision=bf16
        train.device=$device noise.spec=label=sym:0.4,corr=swap:0.4"
method="recipe=method recipe_args.warmup_epochs=1 recipe_args.phase1_epochs=3"
check() {  # summary.json of a finished run: processes, accuracy above chance (10 classes), training time
  "$py" - "$1" "$2" <<'PY'
import json, sys
s = json.load(open(sys.argv[1] + '/summary.json'))
print(f"{sys.argv[1]}: processes {s['processes']}, top-1 last {s['test_top1_last']:.3f}, best {s['test_top1_best']:.3f}, "
      f"detection AUC {s.get('detect_auc')}, train time {s['train_time_s']:.1f} s")
assert s['test_top1_best'] > float(sys.argv[2]), 'no better than chance'
PY
}
start=$(date +%s)
chance=0.2; [ -n "${NTAV_SMOKE_TINY:-}" ] && chance=0.0   # a tiny CPU rehearsal checks the mechanics, not accuracy
echo "== CE, ResNet-18, bf16, 4 epochs"
ntav train $common recipe=ce train.epochs=4 run_dir=$out/ce > $out/ce.log
check $out/ce $chance
echo "== the method, stopped after 5 of 6 epochs and resumed"
ntav train $common $method train.epochs=5 run_dir=$out/method > $out/method.log
ntav train --resume $common $method train.epochs=6 run_dir=$out/method > $out/method-resume.log
"$py" -c "import json; m = [json.loads(l) for l in open('$out/method/metrics.jsonl')]; assert [x['epoch'] for x in m] == list(range(6)), m; print('resumed: epochs', [x['epoch'] for x in m], 'phases', sorted({x['phase'] for x in m}))"
check $out/method $chance
if [ "$device" = cuda ] && [ "$gpus" -ge 2 ]; then
  echo "== 2-process DDP (NCCL)"
  torchrun --standalone --nproc_per_node 2 -m ntav_nb.cli train $common $method train.epochs=6 run_dir=$out/ddp > $out/ddp.log
  check $out/ddp $chance
  ntav train --resume $common $method train.epochs=7 run_dir=$out/ddp > $out/ddp-resume.log   # a 2-process checkpoint on 1 GPU
  check $out/ddp $chance
else echo "== one GPU: the 2-process DDP run is skipped"; fi
echo "== speed benchmark (ResNet-18, 112×112; fp32, bf16, fp16 side by side)"
precisions="32 bf16 16"; [ "$device" = cpu ] && precisions="32 bf16"
ntav bench speed --device $device --encoder resnet18 --size 112 $bench_size --workers auto --precisions $precisions \
  --out $out/bench --data $out/data
echo "gpu smoke test passed in $(( $(date +%s) - start )) s; runs and speed figures in $out"
