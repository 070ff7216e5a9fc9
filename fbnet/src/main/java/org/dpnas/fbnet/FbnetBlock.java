package org.dpnas.fbnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.dpnas.common.cost.CostAware;
import org.dpnas.common.cost.CostCounter;
import org.dpnas.common.nn.ConvBnAct;

/**
 * One FBNet candidate block (Wu et al., CVPR 2019, Sec. 3.1, Fig. 3): a 1×1 (group) convolution
 * expanding to {@code in·e} channels with BN and ReLU, a channel shuffle when the groups are 2, a
 * k×k depthwise convolution with BN and ReLU carrying the stride (and the dilation of an atrous
 * encoder), and a 1×1 (group) projection with BN; the input is added back when stride is 1 and the
 * widths agree. {@code skip} is the identity, or — our choice where the layer changes the shape, on
 * which the paper is silent — a strided 1×1 convolution with BN.
 */
public final class FbnetBlock extends AbstractBlock implements CostAware {

    private final FbnetOp op;
    private final ConvBnAct expand;
    private final ConvBnAct depthwise;
    private final ConvBnAct project;
    private final boolean residual;
    private final int groups;

    /**
     * Creates the block.
     *
     * @param layer the layer's shape
     * @param op the candidate
     */
    public FbnetBlock(FbnetSizes.Layer layer, FbnetOp op) {
        this.op = op;
        this.groups = op.groups();
        if (op.isSkip()) {
            expand = null;
            depthwise = null;
            project =
                    layer.keepsShape()
                            ? null
                            : addChildBlock(
                                    "project",
                                    new ConvBnAct(layer.out(), 1, layer.stride(), 1, 1, false));
            residual = false;
        } else {
            int hidden = layer.in() * op.expansion();
            if (groups > 1 && (layer.in() % groups != 0 || layer.out() % groups != 0)) {
                throw new IllegalArgumentException(
                        op.opName()
                                + " needs channels divisible by "
                                + groups
                                + ", got "
                                + layer.in()
                                + " -> "
                                + layer.out());
            }
            expand = addChildBlock("expand", new ConvBnAct(hidden, 1, 1, 1, groups, true));
            depthwise =
                    addChildBlock(
                            "depthwise",
                            new ConvBnAct(
                                    hidden,
                                    op.kernel(),
                                    layer.stride(),
                                    layer.dilation(),
                                    hidden,
                                    true));
            project = addChildBlock("project", new ConvBnAct(layer.out(), 1, 1, 1, groups, false));
            residual = layer.keepsShape();
        }
    }

    /** The candidate this block is. */
    public FbnetOp op() {
        return op;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        if (op.isSkip()) {
            return project == null ? inputs : project.forward(ps, inputs, training);
        }
        NDArray h = expand.forward(ps, inputs, training).head();
        if (groups > 1) {
            h = shuffle(h, groups);
        }
        h = depthwise.forward(ps, new NDList(h), training).head();
        NDArray y = project.forward(ps, new NDList(h), training).head();
        return new NDList(residual ? y.add(inputs.head()) : y);
    }

    /**
     * ShuffleNet's channel shuffle (Zhang et al., CVPR 2018, Sec. 3.1): (N, g·c, H, W) viewed as
     * (N, g, c, H, W), transposed to (N, c, g, H, W) and flattened back, so that the next group
     * convolution sees channels of every group.
     */
    static NDArray shuffle(NDArray x, int groups) {
        Shape s = x.getShape();
        long n = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        return x.reshape(n, groups, c / groups, h, w).transpose(0, 2, 1, 3, 4).reshape(n, c, h, w);
    }

    /** Counts the three convolutions and the residual add (the shuffle moves memory only). */
    @Override
    public Shape[] countCost(CostCounter counter, Shape[] inputShapes) {
        if (op.isSkip()) {
            return project == null ? inputShapes : counter.count(project, inputShapes);
        }
        Shape[] s =
                counter.count(
                        project, counter.count(depthwise, counter.count(expand, inputShapes)));
        if (residual) {
            counter.elementwise(s[0]);
        }
        return s;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        if (op.isSkip()) {
            return project == null ? inputShapes : project.getOutputShapes(inputShapes);
        }
        return project.getOutputShapes(
                depthwise.getOutputShapes(expand.getOutputShapes(inputShapes)));
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        if (op.isSkip()) {
            if (project != null) {
                project.initialize(manager, dataType, inputShapes);
            }
            return;
        }
        expand.initialize(manager, dataType, inputShapes);
        Shape[] s = expand.getOutputShapes(inputShapes);
        depthwise.initialize(manager, dataType, s);
        project.initialize(manager, dataType, depthwise.getOutputShapes(s));
    }
}
