package org.dpnas.autodeeplab.nn;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.dpnas.common.nn.ops.ReluConvBn;

/**
 * What both evaluations of an Auto-DeepLab search cell ({@link SearchCell}, {@link FusedCell})
 * share: the sizes, one 1×1 ReLU-conv-BN preprocessing per H^{l−1} neighbour (indexed by β choice)
 * and one for H^{l−2}, created first so both cells name and order them alike, and the output shape
 * (B·C channels at the input's size). Cells are evaluated through their own {@code apply}, never
 * through {@code forward}.
 */
public abstract class CellBase extends AbstractBlock {

    /** B, blocks per cell. */
    protected final int blocks;

    /** C, channels of each block. */
    protected final int channels;

    /** Channels of H^{l−2}, 0 when the cell has none. */
    protected final int prevPrevChannels;

    /** Channels of H^{l−1} per neighbour (β choice), 0 where absent. */
    protected final int[] inChannels;

    /** The H^{l−2} preprocessing, or null. */
    protected final Block prePrev;

    /** Index of the DOWN neighbour (β choice 2: from level s − 1). */
    protected static final int DOWN = 2;

    /** Whether the DOWN neighbour is reduced by a stride-2 3×3 convolution (else pre-resized). */
    protected final boolean downConv;

    /** The H^{l−1} preprocessing per neighbour, null where absent. */
    protected final Block[] pre = new Block[3];

    /**
     * Creates the preprocessing.
     *
     * @param blocks B
     * @param channels C, channels of each block (F·2^level)
     * @param prevPrevChannels channels of H^{l−2}, or 0 when the cell has none
     * @param inChannels channels of H^{l−1} from each neighbour, indexed by β choice (UP = from
     *     level s+1, SAME, DOWN = from level s−1), 0 where the neighbour does not exist
     */
    protected CellBase(int blocks, int channels, int prevPrevChannels, int[] inChannels) {
        this(blocks, channels, prevPrevChannels, inChannels, false);
    }

    /**
     * Creates the preprocessing, with the DOWN neighbour's 1×1 ReLU-conv-BN replaced by a 3×3
     * stride-2 one when {@code downConv} (the paper's DOWN transition; the input then arrives at
     * the finer level, not resized).
     *
     * @param blocks B
     * @param channels C
     * @param prevPrevChannels channels of H^{l−2}, or 0
     * @param inChannels channels of H^{l−1} per neighbour, 0 where absent
     * @param downConv whether the DOWN neighbour is reduced by a stride-2 3×3 convolution
     */
    protected CellBase(
            int blocks, int channels, int prevPrevChannels, int[] inChannels, boolean downConv) {
        if (inChannels.length != 3) {
            throw new IllegalArgumentException("inChannels is indexed by the 3 β choices");
        }
        this.blocks = blocks;
        this.channels = channels;
        this.prevPrevChannels = prevPrevChannels;
        this.inChannels = inChannels.clone();
        this.downConv = downConv;
        boolean anyInput = false;
        for (int k = 0; k < 3; k++) {
            if (inChannels[k] > 0) {
                boolean conv = downConv && k == DOWN;
                pre[k] =
                        addChildBlock(
                                "pre" + k,
                                new ReluConvBn(channels, conv ? 3 : 1, conv ? 2 : 1, false));
                anyInput = true;
            }
        }
        if (!anyInput) {
            throw new IllegalArgumentException("a cell needs at least one H^{l-1} input");
        }
        prePrev =
                prevPrevChannels > 0
                        ? addChildBlock("prePrev", new ReluConvBn(channels, 1, 1, false))
                        : null;
    }

    /** Whether the DOWN neighbour arrives at the finer level and is reduced by a convolution. */
    public boolean downConv() {
        return downConv;
    }

    /** Whether the cell has an H^{l−2} input. */
    public boolean hasPrevPrev() {
        return prePrev != null;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException("use " + getClass().getSimpleName() + ".apply");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {new Shape(s.get(0), (long) blocks * channels, s.get(2), s.get(3))};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        for (int k = 0; k < 3; k++) {
            if (pre[k] != null) {
                pre[k].initialize(manager, dataType, new Shape(1, inChannels[k], 4, 4));
            }
        }
        if (prePrev != null) {
            prePrev.initialize(manager, dataType, new Shape(1, prevPrevChannels, 4, 4));
        }
    }
}
