"""torchvision reference models for dpnas's backbones (shared by the generator and the check).

resnet10 is torchvision's ResNet with one BasicBlock per stage; output stride 8/16 uses
torchvision's replace_stride_with_dilation (ResNet-50/101) and, for MobileNet-v2, DeepLab's rule
(TF-slim mobilenet_base) applied to the depthwise convolutions of torchvision's module.
"""
import math

import torch
import torchvision
from torchvision.models.resnet import BasicBlock, ResNet

ARCHS = ["resnet10", "resnet18", "resnet34", "resnet50", "resnet101", "mobilenet_v2"]


def build(arch, output_stride=32, width=1.0):
    if arch == "mobilenet_v2":
        m = torchvision.models.mobilenet_v2(weights=None, width_mult=width)
        _dilate_mobilenet(m, output_stride)
        return m
    dil = {32: [False, False, False], 16: [False, False, True], 8: [False, True, True]}
    if arch == "resnet10":
        assert output_stride == 32, "torchvision's BasicBlock has no dilation"
        return ResNet(BasicBlock, [1, 1, 1, 1])
    return getattr(torchvision.models, arch)(
        weights=None, replace_stride_with_dilation=dil[output_stride])


def _dilate_mobilenet(m, output_stride):
    current, rate = 1, 1
    for i, f in enumerate(m.features):
        if i == 0 or i == len(m.features) - 1:
            current *= 2 if i == 0 else 1
            continue
        dw = f.conv[-3][0]  # the depthwise convolution
        stride = dw.stride[0]
        if current == output_stride:
            dw.stride, dw.dilation, dw.padding = (1, 1), (rate, rate), (rate, rate)
            rate *= stride
            f.stride = 1
        else:
            current *= stride


def taps(model, arch, x):
    """The named taps dpnas's `backbone forward` writes."""
    out = {}
    if arch == "mobilenet_v2":
        for i, f in enumerate(model.features):
            x = f(x)
            out["features.%d" % i] = x
        return out
    x = model.maxpool(model.relu(model.bn1(model.conv1(x))))
    out["stem"] = x
    for k in ["layer1", "layer2", "layer3", "layer4"]:
        x = getattr(model, k)(x)
        out[k] = x
    return out


def formula_weights(model):
    """Deterministic weights from a formula that the Java test reproduces exactly (float64)."""
    sd = {}
    for name, t in model.state_dict().items():
        if name.endswith("num_batches_tracked"):
            continue
        seed = sum((i + 1) * ord(c) for i, c in enumerate(name)) % 1000
        n = t.numel()
        j = torch.arange(n, dtype=torch.int64)
        v = (((j * 37 + seed * 11) % 101) - 50).double() / 50.0
        if name.endswith("running_var"):
            v = 1.0 + 0.5 * v.abs()
        elif name.endswith("running_mean") or name.endswith("bias"):
            v = 0.1 * v
        elif t.dim() == 1:  # BatchNorm scale
            v = 1.0 + 0.25 * v
        else:  # convolution
            fan_in = n // t.shape[0]
            v = v * (1.5 / math.sqrt(fan_in))
        sd[name] = v.reshape(t.shape)
    return sd


def formula_input(shape):
    n = 1
    for d in shape:
        n *= d
    j = torch.arange(n, dtype=torch.int64)
    return ((((j * 13) % 29) - 14).double() / 14.0).reshape(shape)
