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
 */
public final class ContextualCell extends AbstractBlock implements CostAware {

    private final int channels;
    private final List<Block> ops = new ArrayList<>();
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
        this.channels = channels;
        this.layerCount = g.layers().size();
        ops.add(addChildBlock("op0", DecoderOps.create(g.firstOp(), channels)));
        reads.add(0);
        List<Integer> loose = new ArrayList<>(List.of(1));
        for (int k = 1; k <= layerCount; k++) {
            CellLayer l = g.layers().get(k - 1);
            ops.add(addChildBlock("op" + k + "a", DecoderOps.create(l.op1(), channels)));
            ops.add(addChildBlock("op" + k + "b", DecoderOps.create(l.op2(), channels)));
            reads.add(l.in1());
            reads.add(l.in2());
            loose.remove(Integer.valueOf(l.in1()));
            loose.remove(Integer.valueOf(l.in2()));
            loose.add(3 * k + 1);
        }
        outputs.addAll(loose);
    }

    /** The nodes summed into the output. */
    public List<Integer> outputNodes() {
        return List.copyOf(outputs);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        List<NDArray> nodes = new ArrayList<>();
        nodes.add(inputs.singletonOrThrow());
        nodes.add(run(ps, 0, nodes.get(0), training));
        for (int k = 1; k <= layerCount; k++) {
            NDArray a = run(ps, 2 * k - 1, nodes.get(reads.get(2 * k - 1)), training);
            NDArray b = run(ps, 2 * k, nodes.get(reads.get(2 * k)), training);
            nodes.add(a);
            nodes.add(b);
            nodes.add(a.add(b));
        }
        NDArray out = nodes.get(outputs.get(0));
        for (int i = 1; i < outputs.size(); i++) {
            out = out.add(nodes.get(outputs.get(i)));
        }
        return new NDList(out);
    }

    private NDArray run(ParameterStore ps, int op, NDArray x, boolean training) {
        return ops.get(op).forward(ps, new NDList(x), training).singletonOrThrow();
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
            op.initialize(manager, dataType, new Shape(1, channels, 8, 8));
        }
    }
}
