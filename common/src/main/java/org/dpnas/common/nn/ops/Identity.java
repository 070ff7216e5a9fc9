package org.dpnas.common.nn.ops;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.dpnas.common.cost.CostAware;
import org.dpnas.common.cost.CostCounter;

/** The DARTS {@code skip_connect} at stride 1: the input itself (no parameters, no work). */
public final class Identity extends AbstractBlock implements CostAware {

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(inputs.head());
    }

    /** Free: returns the input. */
    @Override
    public Shape[] countCost(CostCounter counter, Shape[] inputShapes) {
        return getOutputShapes(inputShapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
