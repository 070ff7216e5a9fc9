package org.dpnas.common.nn.ops;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.common.cost.CostAware;
import org.dpnas.common.cost.CostCounter;
import org.dpnas.common.nn.ConvBnAct;

/**
 * A straight chain of ReLUs, convolutions and BatchNorms — the shape of every parametric DARTS op.
 * Each stage's result lands in the manager of its input, so a step's intermediates stay in the
 * step's manager.
 *
 * <p>Its cost is that of its stages plus one element-wise op per input element of each ReLU.
 */
abstract class Chain extends AbstractBlock implements CostAware {

    private final List<Block> stages = new ArrayList<>();
    private final List<Boolean> reluBefore = new ArrayList<>();
    private boolean pendingRelu;

    /** Marks that the next added stage is preceded by a ReLU. */
    protected final void relu() {
        pendingRelu = true;
    }

    /** Appends a convolution without bias; padding keeps the size at stride 1. */
    protected final void conv(int out, int kernel, int stride, int dilation, int groups) {
        add(ConvBnAct.sameConv(out, kernel, stride, dilation, groups));
    }

    /** Appends a BatchNorm (PyTorch momentum 0.1, eps 1e-5); not affine: γ = 1, β = 0 fixed. */
    protected final void bn(boolean affine) {
        add(batchNorm(affine));
    }

    static BatchNorm batchNorm(boolean affine) {
        return BatchNorm.builder()
                .optMomentum(0.9f)
                .optEpsilon(1e-5f)
                .optScale(affine)
                .optCenter(affine)
                .build();
    }

    /** Appends any block as the next stage. */
    protected final void stage(Block b) {
        add(b);
    }

    private void add(Block b) {
        addChildBlock(b.getClass().getSimpleName().toLowerCase() + stages.size(), b);
        stages.add(b);
        reluBefore.add(pendingRelu);
        pendingRelu = false;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = inputs;
        for (int i = 0; i < stages.size(); i++) {
            if (reluBefore.get(i)) {
                x = new NDList(Activation.relu(x.head()));
            }
            x = stages.get(i).forward(ps, x, training);
        }
        return x;
    }

    /** Counts each stage, preceded by its ReLU (one op per element of the stage's input). */
    @Override
    public Shape[] countCost(CostCounter counter, Shape[] inputShapes) {
        Shape[] s = inputShapes;
        for (int i = 0; i < stages.size(); i++) {
            if (reluBefore.get(i)) {
                counter.elementwise(s[0]);
            }
            s = counter.count(stages.get(i), s[0]);
        }
        return s;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] s = inputShapes;
        for (Block b : stages) {
            s = b.getOutputShapes(s);
        }
        return s;
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] s = inputShapes;
        for (Block b : stages) {
            b.initialize(manager, dataType, s);
            s = b.getOutputShapes(s);
        }
    }
}
