package org.dpnas.nasfpn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.common.cost.CostAware;
import org.dpnas.common.cost.CostCounter;
import org.dpnas.common.nn.ops.ReluConvBn;

/**
 * A feature pyramid network built from a {@link PyramidGenotype} (Ghiasi et al., "NAS-FPN", CVPR
 * 2019, section 3.1), stacked {@code repeats} times. Every input of a merging cell is resampled to
 * the cell's level (max-pooling with kernel and stride {@code 2^k} down, nearest-neighbour
 * upsampling up; all nodes share one width, so the 1×1 convolution of tensorflow/tpu's resampling
 * is never needed), merged by sum or global-attention pooling, absorbs the unused nodes of its
 * level if it is an output, and goes through ReLU → 3×3 conv → BN.
 *
 * <p>Global attention, variant {@code "tf"} (default, tensorflow/tpu): {@code f_hi + f_lo ·
 * sigmoid(globalmax(f_hi))} where {@code f_hi} is the input from the coarser (or equal) level.
 * Variant {@code "mmdet"} (mmdetection's {@code GlobalPoolingCell}): {@code in2 + sigmoid(GAP(in2))
 * · in1} in the genotype's input order.
 *
 * <p>Input: the L levels {@code minLevel … maxLevel}, each (N, width, H_l, W_l). Output: the L
 * output levels of every stack in turn, {@code repeats · L} arrays, so an anytime detector can put
 * a head after each stack.
 */
public final class PyramidNetwork extends AbstractBlock implements CostAware {

    /** The global-attention variants. */
    public static final List<String> ATTENTIONS = List.of("tf", "mmdet");

    private final PyramidGenotype genotype;
    private final int width;
    private final int repeats;
    private final String attention;
    private final List<List<ReluConvBn>> convs = new ArrayList<>();
    private final List<List<Integer>> absorbed;

    /**
     * Creates the pyramid.
     *
     * @param genotype the merging cells
     * @param width channels of every node
     * @param repeats stacks (≥ 1)
     * @param attention {@code "tf"} or {@code "mmdet"}
     */
    public PyramidNetwork(PyramidGenotype genotype, int width, int repeats, String attention) {
        if (width < 1 || repeats < 1) {
            throw new IllegalArgumentException(
                    "pyramid width and repeats must be >= 1, got " + width + ", " + repeats);
        }
        if (!ATTENTIONS.contains(attention)) {
            throw new IllegalArgumentException(
                    "attention variant '" + attention + "' is not one of tf, mmdet");
        }
        this.genotype = genotype;
        this.width = width;
        this.repeats = repeats;
        this.attention = attention;
        this.absorbed = genotype.absorbed();
        for (int r = 0; r < repeats; r++) {
            List<ReluConvBn> stack = new ArrayList<>();
            for (int i = 0; i < genotype.cells().size(); i++) {
                stack.add(addChildBlock("s" + r + "_c" + i, new ReluConvBn(width, 3, 1, true)));
            }
            convs.add(stack);
        }
    }

    /** The genotype. */
    public PyramidGenotype genotype() {
        return genotype;
    }

    /** Number of stacks. */
    public int repeats() {
        return repeats;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        int l = genotype.levels();
        if (inputs.size() != l) {
            throw new IllegalArgumentException(
                    "pyramid expects " + l + " input levels, got " + inputs.size());
        }
        long[][] sizes = new long[l][];
        for (int i = 0; i < l; i++) {
            Shape s = inputs.get(i).getShape();
            sizes[i] = new long[] {s.get(2), s.get(3)};
        }
        NDList out = new NDList();
        List<NDArray> levels = new ArrayList<>(inputs);
        for (int r = 0; r < repeats; r++) {
            List<NDArray> nodes = new ArrayList<>(levels);
            for (int i = 0; i < genotype.cells().size(); i++) {
                MergingCell c = genotype.cells().get(i);
                int lv = c.level();
                long[] size = sizes[lv - genotype.minLevel()];
                int l1 = genotype.levelOf(c.input1());
                int l2 = genotype.levelOf(c.input2());
                NDArray a = resample(nodes.get(c.input1()), l1, lv, size);
                NDArray b = resample(nodes.get(c.input2()), l2, lv, size);
                NDArray merged;
                if ("sum".equals(c.op())) {
                    merged = a.add(b);
                } else if ("tf".equals(attention)) {
                    NDArray hi = l1 >= l2 ? a : b;
                    NDArray lo = l1 >= l2 ? b : a;
                    merged =
                            hi.add(
                                    lo.mul(
                                            Activation.sigmoid(
                                                    hi.max(new int[] {3}, true)
                                                            .max(new int[] {2}, true))));
                } else {
                    merged =
                            b.add(
                                    a.mul(
                                            Activation.sigmoid(
                                                    b.mean(new int[] {3}, true)
                                                            .mean(new int[] {2}, true))));
                }
                for (int j : absorbed.get(i)) {
                    merged = merged.add(resample(nodes.get(j), genotype.levelOf(j), lv, size));
                }
                nodes.add(convs.get(r).get(i).forward(ps, new NDList(merged), training).head());
            }
            NDArray[] byLevel = new NDArray[l];
            for (int n = nodes.size() - l; n < nodes.size(); n++) {
                byLevel[genotype.levelOf(n) - genotype.minLevel()] = nodes.get(n);
            }
            levels = List.of(byLevel);
            out.addAll(levels);
        }
        return out;
    }

    private static NDArray resample(NDArray x, int from, int to, long[] size) {
        if (from < to) {
            int s = 1 << (to - from);
            return Pool.maxPool2d(x, new Shape(s, s), new Shape(s, s), new Shape(0, 0), true);
        }
        if (from > to) {
            int s = 1 << (from - to);
            NDArray up = x.repeat(2, s).repeat(3, s);
            Shape sh = up.getShape();
            if (sh.get(2) != size[0] || sh.get(3) != size[1]) {
                up = up.get(new NDIndex(":, :, :{}, :{}", size[0], size[1]));
            }
            return up;
        }
        return x;
    }

    /**
     * Counts the merging cells: max-pool taps of down-sampling, nothing for nearest up-sampling (a
     * copy), one op per element of every sum and absorbed input, global pooling + sigmoid + mul +
     * add of attention, and each cell's ReLU-conv-BN.
     */
    @Override
    public Shape[] countCost(CostCounter counter, Shape[] inputShapes) {
        int l = genotype.levels();
        Shape[] levels = new Shape[l];
        for (int i = 0; i < l; i++) {
            Shape s = inputShapes[i];
            levels[i] = new Shape(s.get(0), width, s.get(2), s.get(3));
        }
        for (int r = 0; r < repeats; r++) {
            for (int i = 0; i < genotype.cells().size(); i++) {
                MergingCell c = genotype.cells().get(i);
                Shape out = levels[c.level() - genotype.minLevel()];
                List<Integer> reads = new ArrayList<>(List.of(c.input1(), c.input2()));
                reads.addAll(absorbed.get(i));
                for (int n : reads) {
                    int from = genotype.levelOf(n);
                    if (from < c.level()) {
                        int k = 1 << (c.level() - from);
                        counter.pool(out, (long) k * k);
                    }
                }
                if (!"sum".equals(c.op())) {
                    Shape g = new Shape(out.get(0), out.get(1), 1, 1);
                    counter.pool(g, out.get(2) * out.get(3));
                    counter.elementwise(g);
                    counter.elementwise(out);
                }
                counter.elementwise(out);
                for (int j = 0; j < absorbed.get(i).size(); j++) {
                    counter.elementwise(out);
                }
                counter.count(convs.get(r).get(i), out);
            }
        }
        return getOutputShapes(inputShapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] out = new Shape[repeats * inputShapes.length];
        for (int r = 0; r < repeats; r++) {
            for (int i = 0; i < inputShapes.length; i++) {
                Shape s = inputShapes[i];
                out[r * inputShapes.length + i] = new Shape(s.get(0), width, s.get(2), s.get(3));
            }
        }
        return out;
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        for (List<ReluConvBn> stack : convs) {
            for (int i = 0; i < stack.size(); i++) {
                int lv = genotype.cells().get(i).level() - genotype.minLevel();
                Shape s = inputShapes[lv];
                stack.get(i)
                        .initialize(
                                manager, dataType, new Shape(s.get(0), width, s.get(2), s.get(3)));
            }
        }
    }
}
