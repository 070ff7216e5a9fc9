package org.dpnas.fastdensenas;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.dpnas.common.cost.CostAware;
import org.dpnas.common.cost.CostCounter;
import org.dpnas.common.nn.ConvBnAct;
import org.dpnas.common.nn.Resize;
import org.dpnas.common.nn.ops.Identity;
import org.dpnas.common.nn.ops.Zero;

/**
 * Builds the FastDenseNAS candidate ops at a fixed width, every one keeping the spatial size: a
 * plain convolution is conv-BN-ReLU, a separable one a depthwise conv-BN then a pointwise
 * conv-BN-ReLU, global average pooling a 1×1 conv-BN-ReLU on the pooled vector broadcast back.
 */
public final class DecoderOps {

    private DecoderOps() {}

    /** The op's block for {@code channels} in and out. */
    public static Block create(DecoderOp op, int channels) {
        return switch (op) {
            case CONV1X1 -> new ConvBnAct(channels, 1, 1, 1, 1, true);
            case CONV3X3 -> new ConvBnAct(channels, 3, 1, 1, 1, true);
            case CONV3X3_DIL3 -> new ConvBnAct(channels, 3, 1, 3, 1, true);
            case CONV3X3_DIL12 -> new ConvBnAct(channels, 3, 1, 12, 1, true);
            case SEP3X3 -> separable(channels, 3, 1);
            case SEP5X5 -> separable(channels, 5, 1);
            case SEP3X3_DIL3 -> separable(channels, 3, 3);
            case SEP5X5_DIL6 -> separable(channels, 5, 6);
            case GAP -> new GlobalPoolConv(channels);
            case SKIP -> new Identity();
            case NONE -> new Zero(1);
        };
    }

    private static Block separable(int channels, int kernel, int dilation) {
        return new SequentialBlock()
                .add(new ConvBnAct(channels, kernel, 1, dilation, channels, false))
                .add(new ConvBnAct(channels, 1, 1, 1, 1, true));
    }

    /** Global average pooling, a 1×1 conv-BN-ReLU, and the result spread over the input's size. */
    static final class GlobalPoolConv extends AbstractBlock implements CostAware {
        private final int channels;
        private final ConvBnAct conv;

        GlobalPoolConv(int channels) {
            this.channels = channels;
            conv = addChildBlock("conv", new ConvBnAct(channels, 1, 1, 1, 1, true));
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps,
                NDList inputs,
                boolean training,
                PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            // one axis at a time: a multi-axis mean is unsupported on this engine
            NDArray pooled = x.mean(new int[] {3}, true).mean(new int[] {2}, true);
            NDArray y = conv.forward(ps, new NDList(pooled), training).singletonOrThrow();
            Shape s = x.getShape();
            return new NDList(Resize.bilinear(y, s.get(2), s.get(3)));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {inputShapes[0]};
        }

        /** The pooling, the 1×1 conv-BN-ReLU on the pooled vector, and the spread back. */
        @Override
        public Shape[] countCost(CostCounter counter, Shape[] inputShapes) {
            Shape s = inputShapes[0];
            Shape pooled = new Shape(s.get(0), s.get(1), 1, 1);
            counter.pool(pooled, s.get(2) * s.get(3));
            counter.count(conv, pooled);
            counter.bilinear(pooled, s);
            return new Shape[] {s};
        }

        @Override
        protected void initializeChildBlocks(
                NDManager manager, DataType dataType, Shape... inputShapes) {
            conv.initialize(manager, dataType, new Shape(1, channels, 1, 1));
        }
    }
}
