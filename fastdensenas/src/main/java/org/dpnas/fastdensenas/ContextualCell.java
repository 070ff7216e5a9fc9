package org.dpnas.fastdensenas;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.common.cost.CostAware;
import org.dpnas.common.cost.CostCounter;

/**
 * The searched cell of a FastDenseNAS decoder (Nekrasov et al., CVPR 2019, §3.1) at a fixed width:
 * node 0 is the input, node 1 the first op on it, and each later layer applies its two ops to two
 * earlier nodes and sums them (nodes {@code 3k−1}, {@code 3k}, {@code 3k+1}). The output is the sum
 * of the first op's node and every layer sum no later layer reads.
 *
 * <p>One block can hold several cells of the same structure with their own weights ({@code
 * members}, see {@link DecoderOps#create(DecoderOp, int, int)}): their inputs stacked along the
 * channels, they run as one cell of grouped ops, each member's channels computed exactly as a cell
 * of its own would compute them, with one engine call per op instead of one per op and member.
 *
 * <p>A {@code none} op contributes nothing: its node is left out of the sums it enters rather than
 * filled with zeros and added (the same values, two engine calls fewer); a node that is zero is
 * materialised only when an op other than {@code skip_connect} or {@code none} reads it.
 */
public final class ContextualCell extends AbstractBlock implements CostAware {

    private final int channels;
    private final int members;
    private final List<Block> ops = new ArrayList<>();
    private final List<DecoderOp> kinds = new ArrayList<>();
    private final List<Integer> reads = new ArrayList<>();
    private final List<Integer> outputs = new ArrayList<>();
    private final int layerCount;

    /**
     * Creates the cell.
     *
     * @param g the genotype whose cell to build
     * @param channels input and output channels
     */
    public ContextualCell(DecoderGenotype g, int channels) {
        this(g, channels, 1);
    }

    /**
     * Creates {@code members} cells side by side, reading and writing {@code members·channels}
     * channels.
     *
     * @param g the genotype whose cell to build
     * @param channels input and output channels of one member
     * @param members the number of cells
     */
    public ContextualCell(DecoderGenotype g, int channels, int members) {
        this.channels = channels;
        this.members = members;
        this.layerCount = g.layers().size();
        add("op0", g.firstOp(), 0);
        List<Integer> loose = new ArrayList<>(List.of(1));
        for (int k = 1; k <= layerCount; k++) {
            CellLayer l = g.layers().get(k - 1);
            add("op" + k + "a", l.op1(), l.in1());
            add("op" + k + "b", l.op2(), l.in2());
            loose.remove(Integer.valueOf(l.in1()));
            loose.remove(Integer.valueOf(l.in2()));
            loose.add(3 * k + 1);
        }
        outputs.addAll(loose);
    }

    private void add(String name, DecoderOp op, int input) {
        ops.add(addChildBlock(name, DecoderOps.create(op, channels, members)));
        kinds.add(op);
        reads.add(input);
    }

    /** The nodes summed into the output. */
    public List<Integer> outputNodes() {
        return List.copyOf(outputs);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        // null stands for a node of zeros
        List<NDArray> nodes = new ArrayList<>();
        nodes.add(x);
        nodes.add(run(ps, 0, x, x, training));
        for (int k = 1; k <= layerCount; k++) {
            NDArray a = run(ps, 2 * k - 1, nodes.get(reads.get(2 * k - 1)), x, training);
            NDArray b = run(ps, 2 * k, nodes.get(reads.get(2 * k)), x, training);
            nodes.add(a);
            nodes.add(b);
            nodes.add(sum(a, b));
        }
        NDArray out = null;
        for (int i : outputs) {
            out = sum(out, nodes.get(i));
        }
        return new NDList(out != null ? out : x.zerosLike());
    }

    private NDArray run(
            ParameterStore ps, int op, NDArray node, NDArray cellInput, boolean training) {
        DecoderOp kind = kinds.get(op);
        if (kind == DecoderOp.NONE || (node == null && kind == DecoderOp.SKIP)) {
            return null;
        }
        // zeros are no fixed point of the other ops (a BatchNorm maps them to its shift)
        NDArray in = node != null ? node : cellInput.zerosLike();
        return ops.get(op).forward(ps, new NDList(in), training).singletonOrThrow();
    }

    private static NDArray sum(NDArray a, NDArray b) {
        if (a == null) {
            return b;
        }
        return b == null ? a : a.add(b);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    /** Every op once, one addition per layer sum and per extra output node. */
    @Override
    public Shape[] countCost(CostCounter counter, Shape[] inputShapes) {
        Shape s = inputShapes[0];
        for (Block op : ops) {
            counter.count(op, s);
        }
        for (int k = 1; k <= layerCount; k++) {
            counter.elementwise(s);
        }
        for (int i = 1; i < outputs.size(); i++) {
            counter.elementwise(s);
        }
        return new Shape[] {s};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Block op : ops) {
            op.initialize(manager, dataType, new Shape(1, (long) channels * members, 8, 8));
        }
    }
}
