"""Writes dpnas's backbone golden files with torchvision (run once; never part of `mvn verify`).

    cd common/src/test/python && python3 gen_backbone_golden.py
(used: Debian's python3-torch 1.13.1 and python3-torchvision 0.14.1)

1. golden/<arch>.txt: every state_dict entry "name shape" of the torchvision model.
2. golden/outputs.safetensors: F64 taps of small models with formula weights on formula inputs.
"""
import os

import torch

import backbones_ref as ref
import safetensors_lite

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "org", "dpnas",
                   "common", "nn", "backbone", "golden")
CMD = "cd common/src/test/python && python3 gen_backbone_golden.py  (torch %s, torchvision %s)" % (
    torch.__version__, __import__("torchvision").__version__)


def names(arch, width=1.0, suffix=""):
    m = ref.build(arch, 32, width)
    with open(os.path.join(OUT, arch + suffix + ".txt"), "w") as f:
        f.write("# torchvision %s%s state_dict: name shape; written by: %s\n"
                % (arch, "" if width == 1.0 else " width_mult=%g" % width, CMD))
        for k, v in m.state_dict().items():
            f.write("%s %s\n" % (k, ",".join(str(d) for d in v.shape)))


# (key, arch, output stride, width, input H=W, taps kept (None: all))
CASES = [
    ("resnet18_os32", "resnet18", 32, 1.0, 32, None),
    ("mobilenet_v2_w0.25_os32", "mobilenet_v2", 32, 0.25, 32, None),
    ("mobilenet_v2_w0.25_os8", "mobilenet_v2", 8, 0.25, 32, ["features.6", "features.13",
                                                             "features.17"]),
    ("resnet50_os8", "resnet50", 8, 1.0, 16, ["layer2", "layer4"]),
]


def outputs():
    torch.set_default_dtype(torch.float64)
    res = {}
    for key, arch, os_, width, size, keep in CASES:
        m = ref.build(arch, os_, width).double().eval()
        m.load_state_dict(ref.formula_weights(m), strict=False)
        x = ref.formula_input((1, 3, size, size))
        with torch.no_grad():
            t = ref.taps(m, arch, x)
        for k, v in t.items():
            if keep is None or k in keep:
                res[key + "/" + k] = v
    safetensors_lite.save(res, os.path.join(OUT, "outputs.safetensors"), {"written_by": CMD})


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for a in ref.ARCHS:
        names(a)
    names("mobilenet_v2", 0.25, "_w0.25")
    outputs()
