package org.dpnas.common.nn.backbone;

import java.util.List;

/** Builds a {@link Backbone} by its torchvision name. */
public final class Backbones {

    /** The architectures {@link #create} knows. */
    public static final List<String> NAMES =
            List.of("resnet10", "resnet18", "resnet34", "resnet50", "resnet101", "mobilenet_v2");

    private Backbones() {}

    /**
     * Builds an uninitialised backbone.
     *
     * @param arch one of {@link #NAMES}; {@code resnet10} is NAS-FPN's search proxy, one basic
     *     block per stage
     * @param outputStride 8, 16 or 32
     * @param widthMultiplier MobileNet-v2's width multiplier (must be 1 for the ResNets)
     * @return the backbone
     * @throws IllegalArgumentException for an unknown name or a bad stride or multiplier
     */
    public static Backbone create(String arch, int outputStride, float widthMultiplier) {
        if (!"mobilenet_v2".equals(arch) && widthMultiplier != 1f) {
            throw new IllegalArgumentException(
                    "a width multiplier is only defined for mobilenet_v2, not " + arch);
        }
        return switch (arch) {
            case "resnet10" -> new ResNet(arch, new int[] {1, 1, 1, 1}, false, outputStride);
            case "resnet18" -> new ResNet(arch, new int[] {2, 2, 2, 2}, false, outputStride);
            case "resnet34" -> new ResNet(arch, new int[] {3, 4, 6, 3}, false, outputStride);
            case "resnet50" -> new ResNet(arch, new int[] {3, 4, 6, 3}, true, outputStride);
            case "resnet101" -> new ResNet(arch, new int[] {3, 4, 23, 3}, true, outputStride);
            case "mobilenet_v2" -> new MobileNetV2(widthMultiplier, outputStride);
            default ->
                    throw new IllegalArgumentException(
                            "unknown backbone '"
                                    + arch
                                    + "': expected one of "
                                    + String.join(", ", NAMES));
        };
    }
}
