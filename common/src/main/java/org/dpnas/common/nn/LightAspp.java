package org.dpnas.common.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.dpnas.common.cost.CostAware;
import org.dpnas.common.cost.CostCounter;

/**
 * A light atrous spatial pyramid pooling head (DeepLabv3, Chen et al.,
 * https://arxiv.org/abs/1706.05587, §3.3): a 1×1 branch, 3×3 branches at the given dilation rates
 * and an image-pooling branch, concatenated and projected by a 1×1 convolution. The pooling branch
 * has a bias and no BatchNorm, so it also trains at batch size 1.
 */
public final class LightAspp extends AbstractBlock implements CostAware {

    private final ConvBnAct[] branches;
    private final Conv2d poolConv;
    private final ConvBnAct project;
    private final int out;

    /**
     * Creates the head.
     *
     * @param out channels of every branch and of the output
     * @param rates dilation rates of the 3×3 branches
     */
    public LightAspp(int out, int... rates) {
        this.out = out;
        branches = new ConvBnAct[rates.length + 1];
        branches[0] = addChildBlock("b0", new ConvBnAct(out, 1, 1, 1, 1, true));
        for (int i = 0; i < rates.length; i++) {
            branches[i + 1] =
                    addChildBlock("b" + (i + 1), new ConvBnAct(out, 3, 1, rates[i], 1, true));
        }
        poolConv =
                addChildBlock(
                        "pool",
                        Conv2d.builder().setFilters(out).setKernelShape(new Shape(1, 1)).build());
        project = addChildBlock("project", new ConvBnAct(out, 1, 1, 1, 1, true));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        Shape s = x.getShape();
        NDList parts = new NDList(branches.length + 1);
        for (ConvBnAct b : branches) {
            parts.add(b.forward(ps, inputs, training).head());
        }
        // global average pooling as two single-axis means (multi-axis mean is unsupported here)
        NDArray pooled = x.mean(new int[] {3}, true).mean(new int[] {2}, true);
        NDArray p = Activation.relu(poolConv.forward(ps, new NDList(pooled), training).head());
        parts.add(p.broadcast(new Shape(s.get(0), out, s.get(2), s.get(3))));
        return project.forward(ps, new NDList(NDArrays.concat(parts, 1)), training);
    }

    /**
     * Counts the branches, the image pooling as executed (a mean over W with W taps per output,
     * then over H with H taps), its 1×1 convolution and ReLU, and the projection; broadcast and
     * concatenation move memory and cost no multiply-adds.
     */
    @Override
    public Shape[] countCost(CostCounter counter, Shape[] inputShapes) {
        Shape s = inputShapes[0];
        long n = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        for (ConvBnAct b : branches) {
            counter.count(b, inputShapes);
        }
        counter.pool(new Shape(n, c, h, 1), w);
        counter.pool(new Shape(n, c, 1, 1), h);
        Shape[] p = counter.count(poolConv, new Shape(n, c, 1, 1));
        counter.elementwise(p[0]);
        long cat = (long) out * (branches.length + 1);
        return counter.count(project, new Shape(n, cat, h, w));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {new Shape(s.get(0), out, s.get(2), s.get(3))};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        for (ConvBnAct b : branches) {
            b.initialize(manager, dataType, inputShapes);
        }
        Shape s = inputShapes[0];
        poolConv.initialize(manager, dataType, new Shape(s.get(0), s.get(1), 1, 1));
        long cat = (long) out * (branches.length + 1);
        project.initialize(manager, dataType, new Shape(s.get(0), cat, s.get(2), s.get(3)));
    }
}
