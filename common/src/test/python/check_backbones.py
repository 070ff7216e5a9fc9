"""The issue's check: torchvision models with random weights -> safetensors -> `dpnas backbone
forward` -> compared tap by tap with torchvision (relative error = max|dpnas - torch| / max|torch|).

    cd common/src/test/python && python3 check_backbones.py [--dpnas ../../../../dpnas] [--size 96]

Run by hand (never by `mvn verify`). Writes into a temporary directory.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import torch

import backbones_ref as ref
import safetensors_lite

CASES = [("resnet10", 32), ("resnet18", 32), ("resnet34", 32), ("resnet50", 32),
         ("resnet50", 16), ("resnet50", 8), ("resnet101", 32), ("resnet101", 16),
         ("resnet101", 8), ("mobilenet_v2", 32), ("mobilenet_v2", 16), ("mobilenet_v2", 8)]


def randomize(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if name.endswith("running_var") or (name.endswith("weight") and t.dim() == 1):
                t.copy_(0.5 + torch.rand(t.shape, generator=g))
            elif name.endswith("running_mean") or name.endswith("bias"):
                t.copy_(0.1 * torch.randn(t.shape, generator=g))
            elif t.is_floating_point():
                fan_in = t[0].numel()
                t.copy_(torch.randn(t.shape, generator=g) * (2.0 / fan_in) ** 0.5)
            else:
                t.fill_(7)  # num_batches_tracked: must be ignored


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser()
    p.add_argument("--dpnas", default=os.path.join(here, "..", "..", "..", "..", "dpnas"))
    p.add_argument("--size", type=int, default=96)
    a = p.parse_args()
    worst = 0.0
    with tempfile.TemporaryDirectory() as d:
        for i, (arch, os_) in enumerate(CASES):
            m = ref.build(arch, os_).eval()
            randomize(m, i)
            w, x, y = (os.path.join(d, n) for n in ("w.safetensors", "x.safetensors",
                                                    "y.safetensors"))
            safetensors_lite.save(m.state_dict(), w)  # incl. fc/classifier, num_batches_tracked
            inp = torch.randn(2, 3, a.size, a.size + 32, generator=torch.Generator().manual_seed(i))
            safetensors_lite.save({"input": inp}, x)
            subprocess.run([a.dpnas, "backbone", "forward", "--arch", arch, "--weights", w,
                            "--input", x, "--out", y, "--output-stride", str(os_)],
                           check=True, stdout=subprocess.DEVNULL)
            got = safetensors_lite.load(y)
            with torch.no_grad():
                want = ref.taps(m, arch, inp)
            errs = []
            for k, v in want.items():
                g = torch.from_numpy(got[k].copy())
                assert g.shape == v.shape, (arch, k, g.shape, v.shape)
                errs.append(float((g - v).abs().max() / v.abs().max()))
            worst = max(worst, max(errs))
            print("%-12s os %2d  %2d taps  max rel. error %.2e  (%s)" % (
                arch, os_, len(errs), max(errs), ", ".join("%.1e" % e for e in errs)))
    print("worst %.2e -> %s" % (worst, "PASS (<= 1e-4)" if worst <= 1e-4 else "FAIL"))
    return 0 if worst <= 1e-4 else 1


if __name__ == "__main__":
    sys.exit(main())
