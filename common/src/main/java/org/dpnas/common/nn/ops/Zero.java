package org.dpnas.common.nn.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.dpnas.common.cost.CostAware;
import org.dpnas.common.cost.CostCounter;

/** The DARTS zero operation ({@code none}): zeros of the input's shape, subsampled at stride 2. */
public final class Zero extends AbstractBlock implements CostAware {

    private final int stride;

    /**
     * Creates the op.
     *
     * @param stride 1 or 2
     */
    public Zero(int stride) {
        this.stride = stride;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        if (stride != 1) {
            x = x.get(":, :, ::" + stride + ", ::" + stride);
        }
        return new NDList(x.zerosLike());
    }

    /** Free: filling zeros (and subsampling at stride 2) moves memory, no multiply-adds. */
    @Override
    public Shape[] countCost(CostCounter counter, Shape[] inputShapes) {
        return getOutputShapes(inputShapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {
            new Shape(
                    s.get(0),
                    s.get(1),
                    (s.get(2) + stride - 1) / stride,
                    (s.get(3) + stride - 1) / stride)
        };
    }
}
