package org.dpnas.fastdensenas;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.dpnas.common.cost.CostAware;
import org.dpnas.common.cost.CostCounter;
import org.dpnas.common.nn.BatchNorms;
import org.dpnas.common.nn.ConvBnAct;
import org.dpnas.common.nn.LiveTaps;
import org.dpnas.common.nn.ops.Identity;
import org.dpnas.common.nn.ops.Zero;

/**
 * Builds the FastDenseNAS candidate ops at a fixed width, every one keeping the spatial size: a
 * plain convolution is conv-BN-ReLU, a separable one a depthwise then a pointwise convolution, one
 * BN and a ReLU (the reference's {@code SepConv}), global average pooling a 1×1 conv-BN-ReLU on the
 * pooled vector broadcast back.
 *
 * <p>An op can stand for {@code members} copies of itself with their own weights, run side by side
 * on inputs stacked along the channels: every convolution is grouped ({@code members} groups, or
 * one per channel when depthwise) and the BatchNorms cover all the channels, so member {@code i}
 * reads and writes channels {@code [i·width, (i+1)·width)} and computes exactly what a single op
 * would. The weights are the members' weights stacked along their first axis, and DJL's default
 * initialiser (Xavier, fan-in) draws each member as it would draw a single op.
 */
public final class DecoderOps {

    private DecoderOps() {}

    /** The op's block for {@code channels} in and out. */
    public static Block create(DecoderOp op, int channels) {
        return create(op, channels, 1);
    }

    /**
     * The block of {@code members} side-by-side copies of the op, each {@code channels} wide: it
     * reads and writes {@code members·channels} channels.
     */
    public static Block create(DecoderOp op, int channels, int members) {
        if (channels < 1 || members < 1) {
            throw new IllegalArgumentException(
                    "channels and members must be >= 1, got " + channels + ", " + members);
        }
        int width = channels * members;
        return switch (op) {
            case CONV1X1 -> new ConvBnAct(width, 1, 1, 1, members, true);
            case CONV3X3 -> new ConvBnAct(width, 3, 1, 1, members, true);
            case CONV3X3_DIL3 -> new ConvBnAct(width, 3, 1, 3, members, true);
            case CONV3X3_DIL12 -> new ConvBnAct(width, 3, 1, 12, members, true);
            case SEP3X3 -> separable(width, members, 3, 1);
            case SEP5X5 -> separable(width, members, 5, 1);
            case SEP3X3_DIL3 -> separable(width, members, 3, 3);
            case SEP5X5_DIL6 -> separable(width, members, 5, 6);
            case GAP -> new GlobalPoolConv(width, members);
            case SKIP -> new Identity();
            case NONE -> new Zero(1);
        };
    }

    private static Block separable(int width, int members, int kernel, int dilation) {
        return new SeparableConv(width, members, kernel, dilation);
    }

    /**
     * A depthwise k×k convolution ("same" padding at its dilation), a pointwise convolution in
     * {@code groups} groups, BatchNorm and ReLU.
     */
    static final class SeparableConv extends AbstractBlock implements CostAware {
        private final Conv2d depthwise;
        private final Conv2d pointwise;
        private final BatchNorm bn;

        SeparableConv(int channels, int groups, int kernel, int dilation) {
            depthwise =
                    addChildBlock(
                            "dw", ConvBnAct.sameConv(channels, kernel, 1, dilation, channels));
            pointwise = addChildBlock("pw", ConvBnAct.sameConv(channels, 1, 1, 1, groups));
            bn = addChildBlock("bn", BatchNorms.pytorchDefault());
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps,
                NDList inputs,
                boolean training,
                PairList<String, Object> params) {
            NDArray y = LiveTaps.conv2d(ps, depthwise, inputs.singletonOrThrow(), training);
            y = LiveTaps.conv2d(ps, pointwise, y, training);
            return new NDList(Activation.relu(BatchNorms.apply(ps, bn, y, training)));
        }

        /** Both convolutions, the BatchNorm and the ReLU. */
        @Override
        public Shape[] countCost(CostCounter counter, Shape[] inputShapes) {
            Shape[] s =
                    counter.count(
                            bn, counter.count(pointwise, counter.count(depthwise, inputShapes)));
            counter.elementwise(s[0]);
            return s;
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return inputShapes;
        }

        @Override
        protected void initializeChildBlocks(
                NDManager manager, DataType dataType, Shape... inputShapes) {
            depthwise.initialize(manager, dataType, inputShapes);
            pointwise.initialize(manager, dataType, inputShapes);
            bn.initialize(manager, dataType, inputShapes);
        }
    }

    /**
     * Global average pooling, a 1×1 conv-BN-ReLU, and the result spread over the input's size (a
     * broadcast: bilinear up-sampling of a 1×1 map repeats its value).
     */
    static final class GlobalPoolConv extends AbstractBlock implements CostAware {
        private final int channels;
        private final ConvBnAct conv;

        GlobalPoolConv(int channels, int groups) {
            this.channels = channels;
            conv = addChildBlock("conv", new ConvBnAct(channels, 1, 1, 1, groups, true));
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps,
                NDList inputs,
                boolean training,
                PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            NDArray pooled = JniUtils.adaptiveAvgPool((PtNDArray) x, new Shape(1, 1));
            NDArray y = conv.forward(ps, new NDList(pooled), training).singletonOrThrow();
            return new NDList(y.broadcast(x.getShape()));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {inputShapes[0]};
        }

        /** The pooling and the 1×1 conv-BN-ReLU on the pooled vector (the broadcast is free). */
        @Override
        public Shape[] countCost(CostCounter counter, Shape[] inputShapes) {
            Shape s = inputShapes[0];
            Shape pooled = new Shape(s.get(0), s.get(1), 1, 1);
            counter.pool(pooled, s.get(2) * s.get(3));
            counter.count(conv, pooled);
            return new Shape[] {s};
        }

        @Override
        protected void initializeChildBlocks(
                NDManager manager, DataType dataType, Shape... inputShapes) {
            conv.initialize(manager, dataType, new Shape(1, channels, 1, 1));
        }
    }
}
