package org.dpnas.common.nn.backbone;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.dpnas.common.cost.CostAware;
import org.dpnas.common.cost.CostCounter;

/**
 * A chain of blocks whose children are named {@code 0}, {@code 1}, … as in PyTorch's {@code
 * nn.Sequential}, so their parameters get the same dotted names.
 */
public final class IndexedSequence extends AbstractBlock implements CostAware {

    private final List<Block> blocks = new ArrayList<>();

    /** Creates the chain from its blocks, in order. */
    public IndexedSequence(List<? extends Block> blocks) {
        for (Block b : blocks) {
            this.blocks.add(addChildBlock(String.valueOf(this.blocks.size()), b));
        }
    }

    /** The blocks, in order. */
    public List<Block> blocks() {
        return Collections.unmodifiableList(blocks);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = inputs;
        for (Block b : blocks) {
            x = b.forward(ps, x, training);
        }
        return x;
    }

    @Override
    public Shape[] countCost(CostCounter counter, Shape[] inputShapes) {
        Shape[] s = inputShapes;
        for (Block b : blocks) {
            s = counter.count(b, s);
        }
        return s;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] s = inputShapes;
        for (Block b : blocks) {
            s = b.getOutputShapes(s);
        }
        return s;
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] s = inputShapes;
        for (Block b : blocks) {
            b.initialize(manager, dataType, s);
            s = b.getOutputShapes(s);
        }
    }
}
