package org.dpnas.fastdensenas;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;
import org.dpnas.common.cost.CostAware;
import org.dpnas.common.cost.CostCounter;
import org.dpnas.common.nn.backbone.MobileNetV2;

/**
 * The FastDenseNAS encoder (Nekrasov et al., CVPR 2019, §3.1): torchvision's MobileNet-v2 at output
 * stride 32 without its last 1×1 convolution, emitting the four layers the reference decoder reads
 * — the last block of stages 2, 3, 5 and 7 of Sandler et al.'s Table 2 ({@code features.3}, {@code
 * .6}, {@code .13}, {@code .17}: 24, 32, 96 and 320 channels at strides 4, 8, 16 and 32; the
 * reference's {@code return_layers = [1, 2, 4, 6]}).
 */
public final class FdnEncoder extends AbstractBlock implements CostAware {

    /** The taps the decoder reads, finest first. */
    public static final List<String> TAPS =
            List.of("features.3", "features.6", "features.13", "features.17");

    private final MobileNetV2 backbone;
    private final int[] index = new int[TAPS.size()];

    /**
     * Creates the encoder.
     *
     * @param widthMultiplier MobileNet-v2's width multiplier (1 in the paper)
     */
    public FdnEncoder(float widthMultiplier) {
        backbone = addChildBlock("backbone", new MobileNetV2(widthMultiplier, 32, false));
        for (int i = 0; i < TAPS.size(); i++) {
            index[i] = backbone.tapIndex(TAPS.get(i));
        }
    }

    /** The MobileNet-v2 (load torchvision weights into it). */
    public MobileNetV2 backbone() {
        return backbone;
    }

    /** The channels of the four outputs. */
    public int[] channels() {
        int[] all = backbone.tapChannels();
        int[] c = new int[index.length];
        for (int i = 0; i < index.length; i++) {
            c[i] = all[index[i]];
        }
        return c;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList all = backbone.forward(ps, inputs, training);
        NDList out = new NDList(index.length);
        for (int i : index) {
            out.add(all.get(i));
        }
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] all = backbone.getOutputShapes(inputShapes);
        Shape[] out = new Shape[index.length];
        for (int i = 0; i < index.length; i++) {
            out[i] = all[index[i]];
        }
        return out;
    }

    @Override
    public Shape[] countCost(CostCounter counter, Shape[] inputShapes) {
        Shape[] all = counter.count(backbone, inputShapes);
        Shape[] out = new Shape[index.length];
        for (int i = 0; i < index.length; i++) {
            out[i] = all[index[i]];
        }
        return out;
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        backbone.initialize(manager, dataType, inputShapes);
    }
}
