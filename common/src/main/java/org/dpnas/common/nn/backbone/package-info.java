/**
 * ImageNet backbones built exactly as torchvision's (ResNet 10/18/34/50/101, MobileNet-v2 with a
 * width multiplier), with named feature taps and an output stride that turns the last strides into
 * dilations, so that torchvision weights load unchanged through {@link
 * org.dpnas.common.io.WeightFiles}.
 */
package org.dpnas.common.nn.backbone;
