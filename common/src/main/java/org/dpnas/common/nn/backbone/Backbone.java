package org.dpnas.common.nn.backbone;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.XavierInitializer;
import java.util.List;
import java.util.Set;
import org.dpnas.common.cost.CostAware;

/**
 * An image classification network without its head, used as the encoder of a dense-prediction
 * network: maps (N, 3, H, W) images to its named feature taps, all returned by {@code forward} in
 * {@link #tapNames()} order. An output stride below the network's native 32 replaces the last
 * strides by dilations, so the deepest taps keep a finer resolution with the same weights.
 *
 * <p>Weights are initialised as torchvision does: convolutions He-normal with fan-out, BatchNorm
 * scale 1 and shift 0, running mean 0 and variance 1.
 */
public abstract class Backbone extends AbstractBlock implements CostAware {

    /** Tensor-name prefixes of torchvision's classification heads, skipped when loading. */
    public static final Set<String> HEAD_PREFIXES = Set.of("fc.", "classifier.");

    private final String arch;
    private final int outputStride;

    /**
     * Creates the backbone.
     *
     * @param arch the architecture's name, for example {@code "resnet50"}
     * @param outputStride 8, 16 or 32
     */
    protected Backbone(String arch, int outputStride) {
        if (outputStride != 8 && outputStride != 16 && outputStride != 32) {
            throw new IllegalArgumentException(
                    "output stride must be 8, 16 or 32, got " + outputStride);
        }
        this.arch = arch;
        this.outputStride = outputStride;
        setInitializer(
                new XavierInitializer(
                        XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.OUT, 2),
                Parameter.Type.WEIGHT);
    }

    /** The architecture's name. */
    public String arch() {
        return arch;
    }

    /** The output stride of the deepest tap. */
    public int outputStride() {
        return outputStride;
    }

    /**
     * Tensor-name prefixes to skip when loading torchvision weights: the classification head (and
     * any layer this backbone does not build).
     */
    public Set<String> ignoredPrefixes() {
        return HEAD_PREFIXES;
    }

    /** The names of the taps, in the order {@code forward} returns them. */
    public abstract List<String> tapNames();

    /** The channels of each tap. */
    public abstract int[] tapChannels();

    /** The stride of each tap relative to the input (after any dilation). */
    public abstract int[] tapStrides();

    /**
     * The index of a tap.
     *
     * @param name the tap's name
     * @return its index in {@link #tapNames()}
     * @throws IllegalArgumentException for an unknown tap, listing the known ones
     */
    public int tapIndex(String name) {
        int i = tapNames().indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException(
                    arch + " has no tap '" + name + "': taps are " + String.join(", ", tapNames()));
        }
        return i;
    }

    /** The shapes of the taps for an input shape (N, 3, H, W). */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return tapShapes(inputShapes[0]);
    }

    /** The tap shapes, computed layer by layer. */
    protected abstract Shape[] tapShapes(Shape input);
}
