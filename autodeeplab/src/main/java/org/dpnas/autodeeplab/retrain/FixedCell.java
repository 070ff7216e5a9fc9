package org.dpnas.autodeeplab.retrain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.common.cost.CostAware;
import org.dpnas.common.cost.CostCounter;
import org.dpnas.common.nn.Resize;
import org.dpnas.common.nn.ops.OpSpec;
import org.dpnas.common.nn.ops.ReluConvBn;
import org.dpnas.common.search.darts.CellEdge;

/**
 * One cell of the retrained Auto-DeepLab network (Liu et al., CVPR 2019, Sec. 3.1 and 4.2): the
 * decoded cell genotype as a fixed DAG on C channels, with affine BatchNorm in every op as in
 * retraining. Each block sums its two chosen (input, op) edges; the output concatenates the last B
 * blocks (the block multiplier); blocks that neither reach the output nor feed a block that does
 * are not built.
 *
 * <p>Both inputs, H^{l−2} and H^{l−1}, are first brought to the cell's level and to C channels. An
 * input {@code shift} levels coarser than the cell ({@code shift < 0}) is up-sampled bilinearly
 * (PyTorch {@code align_corners=False}, common's {@link Resize#bilinear}) to the cell's size and
 * then goes through ReLU, 1×1 convolution and BN; an input at the cell's level gets the 1×1 unit
 * alone; an input {@code shift > 0} levels finer goes through {@code shift} ReLU, 3×3 stride-2
 * convolution and BN units (the first to C channels), which yield ⌈size/2⌉ per level like the
 * supernet's level sizes, so no size is ever rounded twice.
 *
 * <p>Cost ({@link #countCost}): the bilinear up-sampling of a coarser input (4 per output element),
 * the preprocessing units, both ops of every built block and the sum of its two edges (one op per
 * element); the concatenation is free.
 */
public final class FixedCell extends AbstractBlock implements CostAware {

    private final int channels;
    private final int concat;
    private final int[] inChannels;
    private final int[] shifts;
    private final Block[] pre = new Block[2];
    private final int[][] inputs;
    private final Block[][] ops;

    /**
     * Creates the cell.
     *
     * @param cell the decoded cell: per block its two (input, op) edges, input 0 = H^{l−2}, 1 =
     *     H^{l−1}, 2 + i = block i
     * @param concat B, the number of last blocks whose outputs are concatenated (1..blocks)
     * @param channels C, channels of each block
     * @param prevPrevChannels channels of H^{l−2}
     * @param prevPrevShift level of the cell minus level of H^{l−2}
     * @param prevChannels channels of H^{l−1}
     * @param prevShift level of the cell minus level of H^{l−1}
     */
    public FixedCell(
            List<List<CellEdge>> cell,
            int concat,
            int channels,
            int prevPrevChannels,
            int prevPrevShift,
            int prevChannels,
            int prevShift) {
        int blocks = cell.size();
        if (concat < 1 || concat > blocks) {
            throw new IllegalArgumentException(
                    "block multiplier must be in [1, " + blocks + "], got " + concat);
        }
        if (channels < 1 || prevPrevChannels < 1 || prevChannels < 1) {
            throw new IllegalArgumentException("cell channels must be positive");
        }
        this.channels = channels;
        this.concat = concat;
        this.inChannels = new int[] {prevPrevChannels, prevChannels};
        this.shifts = new int[] {prevPrevShift, prevShift};
        pre[0] = addChildBlock("prePrev", preprocess(channels, prevPrevShift));
        pre[1] = addChildBlock("pre", preprocess(channels, prevShift));
        boolean[] live = live(cell, concat);
        inputs = new int[blocks][];
        ops = new Block[blocks][];
        for (int i = 0; i < blocks; i++) {
            if (!live[i]) {
                continue;
            }
            List<CellEdge> b = cell.get(i);
            inputs[i] = new int[] {b.get(0).input(), b.get(1).input()};
            ops[i] = new Block[2];
            for (int k = 0; k < 2; k++) {
                OpSpec op = OpSpec.fromName(b.get(k).op());
                ops[i][k] =
                        addChildBlock(
                                "block" + i + "_" + k + "_" + op.opName(),
                                op.create(channels, 1, true));
            }
        }
    }

    /** The unit that brings an input {@code shift} levels away to the cell's level and C. */
    static Block preprocess(int channels, int shift) {
        if (shift <= 0) {
            return new ReluConvBn(channels, 1, 1, true);
        }
        SequentialBlock seq = new SequentialBlock();
        for (int d = 0; d < shift; d++) {
            seq.add(new ReluConvBn(channels, 3, 2, true));
        }
        return seq;
    }

    /**
     * Weights of {@link #preprocess}: C_in·C + 2C at shift ≤ 0, else 9·C_in·C + 2C + (shift−1)·(9C²
     * + 2C).
     */
    static long preprocessWeights(long in, long channels, int shift) {
        if (shift <= 0) {
            return in * channels + 2 * channels;
        }
        return 9 * in * channels
                + 2 * channels
                + (shift - 1) * (9 * channels * channels + 2 * channels);
    }

    /**
     * Which blocks are built: the last {@code concat} blocks and, transitively, every block they
     * read.
     */
    static boolean[] live(List<List<CellEdge>> cell, int concat) {
        int blocks = cell.size();
        boolean[] live = new boolean[blocks];
        for (int i = blocks - 1; i >= 0; i--) {
            if (i >= blocks - concat) {
                live[i] = true;
            }
            if (live[i]) {
                for (CellEdge e : cell.get(i)) {
                    if (e.input() >= 2) {
                        live[e.input() - 2] = true;
                    }
                }
            }
        }
        return live;
    }

    /**
     * The analytic weight count of a cell (what the constructor builds).
     *
     * @param cell the decoded cell
     * @param concat B
     * @param channels C
     * @param prevPrevChannels channels of H^{l−2}
     * @param prevPrevShift level shift of H^{l−2}
     * @param prevChannels channels of H^{l−1}
     * @param prevShift level shift of H^{l−1}
     * @return trainable weights, affine BN scale and shift included
     */
    public static long weightCount(
            List<List<CellEdge>> cell,
            int concat,
            int channels,
            int prevPrevChannels,
            int prevPrevShift,
            int prevChannels,
            int prevShift) {
        long n =
                preprocessWeights(prevPrevChannels, channels, prevPrevShift)
                        + preprocessWeights(prevChannels, channels, prevShift);
        boolean[] live = live(cell, concat);
        for (int i = 0; i < cell.size(); i++) {
            if (live[i]) {
                for (CellEdge e : cell.get(i)) {
                    n += OpSpec.fromName(e.op()).weightCount(channels, 1, true);
                }
            }
        }
        return n;
    }

    /** Output channels: B·C. */
    public int outChannels() {
        return concat * channels;
    }

    /**
     * Evaluates the cell.
     *
     * @param ps the parameter store
     * @param prevPrev H^{l−2} at its own level
     * @param prev H^{l−1} at its own level
     * @param height the cell's spatial height
     * @param width the cell's spatial width
     * @param training whether BNs use batch statistics
     * @return the concatenated last B blocks, (N, B·C, height, width)
     */
    public NDArray apply(
            ParameterStore ps,
            NDArray prevPrev,
            NDArray prev,
            long height,
            long width,
            boolean training) {
        NDArray[] in = {prevPrev, prev};
        List<NDArray> states = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            NDArray x = in[k];
            if (shifts[k] < 0) {
                x = Resize.bilinear(x, height, width);
            }
            x = pre[k].forward(ps, new NDList(x), training).head();
            Shape s = x.getShape();
            if (s.get(2) != height || s.get(3) != width) {
                throw new IllegalStateException(
                        "cell input "
                                + k
                                + " has size "
                                + s
                                + " after preprocessing, expected "
                                + height
                                + "x"
                                + width);
            }
            states.add(x);
        }
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] == null) {
                states.add(null);
                continue;
            }
            NDArray a =
                    ops[i][0].forward(ps, new NDList(states.get(inputs[i][0])), training).head();
            NDArray b =
                    ops[i][1].forward(ps, new NDList(states.get(inputs[i][1])), training).head();
            states.add(a.add(b));
        }
        return NDArrays.concat(
                new NDList(states.subList(states.size() - concat, states.size())), 1);
    }

    /**
     * Counts the cell as {@link #apply} runs it.
     *
     * @param counter the counter
     * @param inputShapes H^{l−2} and H^{l−1} at their own levels and, third, a shape whose last two
     *     dimensions are the cell's height and width ({@code apply}'s target size); the third may
     *     be left out when an input is not coarser than the cell (its preprocessed size is the
     *     cell's)
     * @return the output shape (N, B·C, height, width)
     * @throws IllegalArgumentException when the target size is missing and cannot be derived, or a
     *     preprocessed input does not have it (as {@code apply} would fail)
     */
    @Override
    public Shape[] countCost(CostCounter counter, Shape[] inputShapes) {
        long height;
        long width;
        if (inputShapes.length >= 3) {
            height = inputShapes[2].get(2);
            width = inputShapes[2].get(3);
        } else {
            int k = shifts[1] >= 0 ? 1 : shifts[0] >= 0 ? 0 : -1;
            if (k < 0) {
                throw new IllegalArgumentException(
                        "both cell inputs are coarser than the cell: give its size as a third"
                                + " shape");
            }
            Shape s = pre[k].getOutputShapes(new Shape[] {inputShapes[k]})[0];
            height = s.get(2);
            width = s.get(3);
        }
        List<Shape> states = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            Shape x = inputShapes[k];
            if (shifts[k] < 0) {
                Shape up = new Shape(x.get(0), x.get(1), height, width);
                counter.bilinear(x, up);
                x = up;
            }
            Shape y = counter.count(pre[k], x)[0];
            if (y.get(2) != height || y.get(3) != width) {
                throw new IllegalArgumentException(
                        "cell input "
                                + k
                                + " has size "
                                + y
                                + " after preprocessing, expected "
                                + height
                                + "x"
                                + width);
            }
            states.add(y);
        }
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] == null) {
                states.add(null);
                continue;
            }
            Shape a = counter.count(ops[i][0], states.get(inputs[i][0]))[0];
            counter.count(ops[i][1], states.get(inputs[i][1]));
            counter.elementwise(a); // a + b
            states.add(a);
        }
        Shape last = states.get(states.size() - 1);
        return new Shape[] {new Shape(last.get(0), outChannels(), height, width)};
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException("use FixedCell.apply (it needs the target size)");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[1];
        return new Shape[] {new Shape(s.get(0), outChannels(), -1, -1)};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        for (int k = 0; k < 2; k++) {
            long size = shifts[k] > 0 ? 4L << shifts[k] : 4;
            pre[k].initialize(manager, dataType, new Shape(1, inChannels[k], size, size));
        }
        for (Block[] pair : ops) {
            if (pair != null) {
                for (Block op : pair) {
                    op.initialize(manager, dataType, new Shape(1, channels, 4, 4));
                }
            }
        }
    }
}
