package org.dpnas.common.nn.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.common.cost.CostCounter;
import org.dpnas.common.nn.BatchNorms;

/**
 * torchvision's ResNet without {@code avgpool}/{@code fc} (He et al.,
 * https://arxiv.org/abs/1512.03385, Table 1): {@code conv1} 7×7/2, {@code bn1}, ReLU, 3×3/2 max
 * pool, then {@code layer1}…{@code layer4} of {@link ResNetBlock}s at widths 64, 128, 256, 512.
 * Taps: {@code stem} (after the max pool, stride 4), {@code layer1}…{@code layer4} (strides 4, 8,
 * 16, 32).
 *
 * <p>Output stride 16 or 8 follows torchvision's {@code replace_stride_with_dilation} ([F, F, T] or
 * [F, T, T]): a dilated stage's stride becomes 1 and the dilation is multiplied by it; its first
 * block keeps the previous dilation and later blocks use the new one.
 */
public final class ResNet extends Backbone {

    private static final List<String> TAPS =
            List.of("stem", "layer1", "layer2", "layer3", "layer4");
    private static final Shape POOL_KERNEL = new Shape(3, 3);
    private static final Shape POOL_STRIDE = new Shape(2, 2);
    private static final Shape POOL_PAD = new Shape(1, 1);

    private final Conv2d conv1;
    private final BatchNorm bn1;
    private final IndexedSequence[] layers = new IndexedSequence[4];
    private final int[] channels = new int[5];
    private final int[] strides = new int[5];

    /**
     * Creates a ResNet.
     *
     * @param arch the name reported by {@link #arch()}
     * @param blocks blocks per stage (for example 3, 4, 6, 3)
     * @param bottleneck bottleneck blocks (ResNet-50 and deeper) or basic blocks
     * @param outputStride 8, 16 or 32
     */
    public ResNet(String arch, int[] blocks, boolean bottleneck, int outputStride) {
        super(arch, outputStride);
        if (blocks.length != 4) {
            throw new IllegalArgumentException("a ResNet has 4 stages, got " + blocks.length);
        }
        conv1 = addChildBlock("conv1", Layers.conv(64, 7, 2, 1, 1));
        bn1 = addChildBlock("bn1", Layers.bn());
        channels[0] = 64;
        strides[0] = 4;
        int in = 64;
        int stride = 4;
        int dilation = 1;
        for (int s = 0; s < 4; s++) {
            int planes = 64 << s;
            int blockStride = s == 0 ? 1 : 2;
            int previous = dilation;
            if (blockStride == 2 && stride * 2 > outputStride) {
                dilation *= blockStride;
                blockStride = 1;
            }
            stride *= blockStride;
            List<ResNetBlock> stage = new ArrayList<>();
            for (int b = 0; b < blocks[s]; b++) {
                ResNetBlock block =
                        new ResNetBlock(
                                in,
                                planes,
                                b == 0 ? blockStride : 1,
                                b == 0 ? previous : dilation,
                                bottleneck);
                stage.add(block);
                in = block.outChannels();
            }
            layers[s] = addChildBlock("layer" + (s + 1), new IndexedSequence(stage));
            channels[s + 1] = in;
            strides[s + 1] = stride;
        }
    }

    @Override
    public List<String> tapNames() {
        return TAPS;
    }

    @Override
    public int[] tapChannels() {
        return channels.clone();
    }

    @Override
    public int[] tapStrides() {
        return strides.clone();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = BatchNorms.apply(ps, bn1, conv1.forward(ps, inputs, training).head(), training);
        x = Pool.maxPool2d(Activation.relu(x), POOL_KERNEL, POOL_STRIDE, POOL_PAD, false);
        NDList taps = new NDList(5);
        taps.add(x);
        NDList y = new NDList(x);
        for (IndexedSequence layer : layers) {
            y = layer.forward(ps, y, training);
            taps.add(y.head());
        }
        return taps;
    }

    /** Counts the stem (convolution, BatchNorm, ReLU, 3×3 max pool) and the four stages. */
    @Override
    public Shape[] countCost(CostCounter counter, Shape[] inputShapes) {
        Shape[] s = counter.count(bn1, counter.count(conv1, inputShapes));
        counter.elementwise(s[0]);
        Shape[] out = new Shape[5];
        out[0] = pooled(s[0]);
        counter.pool(out[0], 9);
        s = new Shape[] {out[0]};
        for (int i = 0; i < 4; i++) {
            s = counter.count(layers[i], s);
            out[i + 1] = s[0];
        }
        return out;
    }

    @Override
    protected Shape[] tapShapes(Shape input) {
        Shape[] out = new Shape[5];
        out[0] = pooled(conv1.getOutputShapes(new Shape[] {input})[0]);
        Shape[] s = {out[0]};
        for (int i = 0; i < 4; i++) {
            s = layers[i].getOutputShapes(s);
            out[i + 1] = s[0];
        }
        return out;
    }

    private static Shape pooled(Shape s) {
        return new Shape(s.get(0), s.get(1), (s.get(2) - 1) / 2 + 1, (s.get(3) - 1) / 2 + 1);
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        conv1.initialize(manager, dataType, inputShapes);
        Shape[] s = conv1.getOutputShapes(inputShapes);
        bn1.initialize(manager, dataType, s);
        s = new Shape[] {pooled(s[0])};
        for (IndexedSequence layer : layers) {
            layer.initialize(manager, dataType, s);
            s = layer.getOutputShapes(s);
        }
    }
}
