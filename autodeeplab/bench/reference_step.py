# Times one search iteration (weight step + architecture step) of the reference PyTorch port
# (NoamRosenberg/autodeeplab @065cf99) at dpnas's `small` bench preset: L 4, F 8, B 5, 19 classes,
# crop 64, batch 2, one thread; SGD on the weights, Adam on alpha/beta, as its train_autodeeplab.py.
# Run with Debian's python3-torch (1.13) against a checkout of the port, after two CPU edits to the
# checkout: operations.py uses the port's own non-CUDA ABN fallback (BatchNorm + ReLU, the branch it
# takes on Windows) instead of compiling the CUDA InPlaceABN, and auto_deeplab.py drops the `.cuda()`
# on its normalized_betas buffer.
#   /usr/bin/python3 autodeeplab/bench/reference_step.py PORT_DIR ITERS WARMUP
# Compare with: ./dpnas bench autodeeplab --preset small --impl fused --iters ITERS --warmup WARMUP
import statistics
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, sys.argv[1])
from auto_deeplab import AutoDeeplab  # noqa: E402

torch.set_num_threads(1)
torch.manual_seed(0)
iters, warmup = int(sys.argv[2]), int(sys.argv[3])
criterion = nn.CrossEntropyLoss(ignore_index=255)
model = AutoDeeplab(19, 4, criterion, 8, 5, 5)
weights = torch.optim.SGD(model.weight_parameters(), lr=0.025, momentum=0.9, weight_decay=3e-4)
arch = torch.optim.Adam(model.arch_parameters(), lr=3e-3, betas=(0.9, 0.999), weight_decay=1e-3)
x = torch.randn(2, 3, 64, 64)
y = torch.randint(0, 19, (2, 64, 64))
w_times, a_times = [], []
for i in range(warmup + iters):
    t0 = time.perf_counter()
    weights.zero_grad()
    criterion(model(x), y).backward()
    weights.step()
    t1 = time.perf_counter()
    arch.zero_grad()
    criterion(model(x), y).backward()
    arch.step()
    t2 = time.perf_counter()
    if i >= warmup:
        w_times.append(t1 - t0)
        a_times.append(t2 - t1)
w, a = statistics.median(w_times), statistics.median(a_times)
print("reference weight %.0f ms arch %.0f ms iteration %.0f ms" % (1000 * w, 1000 * a, 1000 * (w + a)))
