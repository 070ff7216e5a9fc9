package org.dpnas.autodeeplab.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import java.util.List;
import java.util.Map;
import org.dpnas.common.nn.ConstantArrays;
import org.dpnas.common.nn.ops.OpSpec;
import org.dpnas.common.nn.ops.Pool3x3;
import org.dpnas.common.search.darts.CellGraph;

/**
 * The Auto-DeepLab search cell of {@link SearchCell}, evaluated with few, large engine ops: every
 * edge that reads the same state (H^{l−2}, H^{l−1} or a block output) is computed together with all
 * its candidate ops. It computes the same function, with the same number of weights, as a {@link
 * SearchCell} over the DARTS op table.
 *
 * <p>For a state x read by E edges (E = B for the two cell inputs, B − j + 1 for block j − 2):
 *
 * <ul>
 *   <li>ReLU(x) is tiled 2E times along the channels; one depthwise convolution (5×5, rate 1) runs
 *       the first depthwise stage of the E sep 3×3 and E sep 5×5 ops, one (5×5, rate 2) that of the
 *       E dil 3×3 and E dil 5×5 ops — a 3×3 kernel enters zero-padded to 5×5 (the padding is
 *       applied to the kernel each pass, so only the 3×3 entries are weights);
 *   <li>one grouped 1×1 convolution (4E groups) is the pointwise stage of all four, one non-affine
 *       BatchNorm call normalises the 4E·C channels;
 *   <li>the separable ops' second stage is again one depthwise, one grouped pointwise and one
 *       BatchNorm call over 2E·C channels;
 *   <li>max and average pooling (and their BN) are computed once: without affine parameters, the BN
 *       of every edge reading x sees the same input, so the edges' outputs and running statistics
 *       are equal, and one copy per state is kept;
 *   <li>the 4E + 3 candidate maps (sep 3, sep 5, dil 3, dil 5 per edge; max, avg, skip shared) are
 *       weighted and summed per edge by one matrix product with the (E, 4E + 3) mixing matrix built
 *       once per pass from softmax(α) ({@link #mixing}); {@code none} contributes nothing.
 * </ul>
 *
 * <p>The contributions of H^{l−2} do not depend on the H^{l−1} neighbour, so they are computed once
 * per cell and reused by its up to three evaluations. The reference updates those BNs' running
 * statistics once per evaluation, k times with the same batch statistics; with torch momentum m
 * that is one update with momentum 1 − (1 − m)^k, which is what this cell does. Every other BN is
 * updated once per evaluation, as in the reference.
 *
 * <p>Parameter layout per read state j (checkpoints differ from a {@link SearchCell}'s; {@link
 * #copyFrom} maps one onto the other): {@code s<j>_sep3_dw1} (E·C, 1, 3, 3), {@code s<j>_sep5_dw1}
 * (E·C, 1, 5, 5), {@code s<j>_dil3_dw}, {@code s<j>_dil5_dw}, {@code s<j>_pw1} (4E·C, C, 1, 1) in
 * op-major order [sep 3, sep 5, dil 3, dil 5] × edge, {@code s<j>_sep3_dw2}, {@code s<j>_sep5_dw2},
 * {@code s<j>_pw2} (2E·C, C, 1, 1), and the running statistics of the three BN calls; edge e of
 * state j is the edge into block {@code max(0, j − 1) + e}.
 */
public final class FusedCell extends CellBase {

    /** The op kinds the fused evaluation implements; α's columns are looked up in the op table. */
    private static final List<OpSpec> CONV_KINDS =
            List.of(
                    OpSpec.SEP_CONV_3X3,
                    OpSpec.SEP_CONV_5X5,
                    OpSpec.DIL_CONV_3X3,
                    OpSpec.DIL_CONV_5X5);

    private static final List<OpSpec> SHARED_KINDS =
            List.of(OpSpec.MAX_POOL_3X3, OpSpec.AVG_POOL_3X3, OpSpec.SKIP_CONNECT);

    /** DJL momentum (torch 1 − 0.1) of every edge BN. */
    private static final float KEEP = 0.9f;

    private static final float EPS = 1e-5f;

    private final Source[] sources;

    /** The parameters of the edges that read one state. */
    private final class Source {
        final int edges;
        final Parameter sep3dw1;
        final Parameter sep5dw1;
        final Parameter dil3dw;
        final Parameter dil5dw;
        final Parameter pw1;
        final Parameter sep3dw2;
        final Parameter sep5dw2;
        final Parameter pw2;
        final Parameter mean1;
        final Parameter var1;
        final Parameter mean2;
        final Parameter var2;
        final Parameter poolMean;
        final Parameter poolVar;

        Source(int j, int edges) {
            this.edges = edges;
            long ec = (long) edges * channels;
            String p = "s" + j + "_";
            sep3dw1 = weight(p + "sep3_dw1", new Shape(ec, 1, 3, 3));
            sep5dw1 = weight(p + "sep5_dw1", new Shape(ec, 1, 5, 5));
            dil3dw = weight(p + "dil3_dw", new Shape(ec, 1, 3, 3));
            dil5dw = weight(p + "dil5_dw", new Shape(ec, 1, 5, 5));
            pw1 = weight(p + "pw1", new Shape(4 * ec, channels, 1, 1));
            sep3dw2 = weight(p + "sep3_dw2", new Shape(ec, 1, 3, 3));
            sep5dw2 = weight(p + "sep5_dw2", new Shape(ec, 1, 5, 5));
            pw2 = weight(p + "pw2", new Shape(2 * ec, channels, 1, 1));
            mean1 = stat(p + "bn1_mean", 4 * ec, Parameter.Type.RUNNING_MEAN);
            var1 = stat(p + "bn1_var", 4 * ec, Parameter.Type.RUNNING_VAR);
            mean2 = stat(p + "bn2_mean", 2 * ec, Parameter.Type.RUNNING_MEAN);
            var2 = stat(p + "bn2_var", 2 * ec, Parameter.Type.RUNNING_VAR);
            poolMean = stat(p + "pool_mean", 2L * channels, Parameter.Type.RUNNING_MEAN);
            poolVar = stat(p + "pool_var", 2L * channels, Parameter.Type.RUNNING_VAR);
        }
    }

    private Parameter weight(String name, Shape shape) {
        return addParameter(
                Parameter.builder()
                        .setName(name)
                        .setType(Parameter.Type.WEIGHT)
                        .optShape(shape)
                        .build());
    }

    private Parameter stat(String name, long size, Parameter.Type type) {
        return addParameter(
                Parameter.builder()
                        .setName(name)
                        .setType(type)
                        .optShape(new Shape(size))
                        .optRequiresGrad(false)
                        .optInitializer(
                                type == Parameter.Type.RUNNING_VAR
                                        ? Initializer.ONES
                                        : Initializer.ZEROS)
                        .build());
    }

    /**
     * Creates the cell.
     *
     * @param blocks B
     * @param channels C, channels of each block (F·2^level)
     * @param prevPrevChannels channels of H^{l−2}, or 0 when the cell has none
     * @param inChannels channels of H^{l−1} from each neighbour, indexed by β choice, 0 where
     *     absent
     * @param ops the candidate ops, which must be the DARTS table in its order
     */
    public FusedCell(
            int blocks, int channels, int prevPrevChannels, int[] inChannels, List<OpSpec> ops) {
        this(blocks, channels, prevPrevChannels, inChannels, ops, false);
    }

    /**
     * Creates the cell, optionally with the paper's stride-2 3×3 DOWN preprocessing.
     *
     * @param blocks B
     * @param channels C
     * @param prevPrevChannels channels of H^{l−2}, or 0
     * @param inChannels channels of H^{l−1} per neighbour, 0 where absent
     * @param ops the candidate ops, which must be the DARTS table in its order
     * @param downConv whether the DOWN neighbour is reduced by a stride-2 3×3 convolution
     */
    public FusedCell(
            int blocks,
            int channels,
            int prevPrevChannels,
            int[] inChannels,
            List<OpSpec> ops,
            boolean downConv) {
        super(blocks, channels, prevPrevChannels, requireDarts(ops, inChannels), downConv);
        sources = new Source[blocks + 1];
        for (int j = 0; j <= blocks; j++) {
            if (j > 0 || prevPrevChannels > 0) {
                sources[j] = new Source(j, edgesFrom(blocks, j));
            }
        }
    }

    /**
     * Checks the op table before anything is built: it must hold exactly the eight DARTS ops, in
     * any order (α's columns follow the table). Returns {@code inChannels}.
     */
    private static int[] requireDarts(List<OpSpec> ops, int[] inChannels) {
        if (ops.size() != OpSpec.darts().size() || !ops.containsAll(OpSpec.darts())) {
            throw new IllegalArgumentException(
                    "the fused cell implements the eight DARTS ops "
                            + OpSpec.darts()
                            + " (in any order), got "
                            + ops);
        }
        return inChannels;
    }

    /** Edges that read state j; see {@link CellGraph#edgesFrom}. */
    static int edgesFrom(int blocks, int j) {
        return CellGraph.edgesFrom(blocks, j);
    }

    /** The block that edge e of state j feeds; see {@link CellGraph#blockOf}. */
    static int blockOf(int j, int e) {
        return CellGraph.blockOf(j, e);
    }

    /** The index of edge (block i, state j) in α's rows and a {@link SearchCell}'s edge list. */
    static int edgeIndex(int i, int j) {
        return CellGraph.edgeIndex(i, j);
    }

    /**
     * The mixing matrices of a forward pass, one per read state j = 0..B: (E_j, 4E_j + 3), row e
     * holding the weights of edge e of state j over the candidate maps [sep 3 × E, sep 5 × E, dil 3
     * × E, dil 5 × E, max, avg, skip] (zero for the other edges' maps). Shared by every cell.
     *
     * @param alphaHat softmax(α), (edges, ops); the results land in its manager
     * @param blocks B
     * @param ops the op table, in the order of α's columns (the eight DARTS ops in any order)
     * @return the matrices, indexed by state
     */
    public static NDArray[] mixing(NDArray alphaHat, int blocks, List<OpSpec> ops) {
        requireDarts(ops, null);
        long rows = alphaHat.getShape().get(0);
        long cols = alphaHat.getShape().get(1);
        NDArray flat = alphaHat.reshape(1, rows * cols);
        NDArray[] out = new NDArray[blocks + 1];
        for (int j = 0; j <= blocks; j++) {
            int e = edgesFrom(blocks, j);
            NDArray select = selection(alphaHat, blocks, j, (int) rows, ops);
            out[j] = flat.matMul(select).reshape(e, 4L * e + 3);
        }
        return out;
    }

    /**
     * The constant (edges·ops, E(4E + 3)) 0/1 matrix that places α̂'s entries for state j; the
     * column of each op kind is its index in {@code ops}.
     */
    private static NDArray selection(
            NDArray alphaHat, int blocks, int j, int rows, List<OpSpec> ops) {
        int cols = ops.size();
        int[] conv = CONV_KINDS.stream().mapToInt(ops::indexOf).toArray();
        int[] shared = SHARED_KINDS.stream().mapToInt(ops::indexOf).toArray();
        String key =
                "fused-selection:"
                        + blocks
                        + ":"
                        + j
                        + ":"
                        + rows
                        + "x"
                        + cols
                        + ":"
                        + java.util.Arrays.toString(conv)
                        + java.util.Arrays.toString(shared);
        return ConstantArrays.shared()
                .get(
                        key,
                        alphaHat.getDevice(),
                        alphaHat.getDataType(),
                        () -> {
                            int e = edgesFrom(blocks, j);
                            int width = 4 * e + 3;
                            float[] m = new float[rows * cols * e * width];
                            for (int r = 0; r < e; r++) {
                                int edge = edgeIndex(blockOf(j, r), j);
                                for (int o = 0; o < conv.length; o++) {
                                    m[(edge * cols + conv[o]) * e * width + r * width + o * e + r] =
                                            1f;
                                }
                                for (int s = 0; s < shared.length; s++) {
                                    m[
                                                    (edge * cols + shared[s]) * e * width
                                                            + r * width
                                                            + 4 * e
                                                            + s] =
                                            1f;
                                }
                            }
                            return new ConstantArrays.Values(
                                    m, new Shape((long) rows * cols, (long) e * width));
                        });
    }

    /**
     * The per-pass kernels of one state, in the step's manager: the first-stage depthwise kernels
     * as (C·2E, 1, 5, 5) in channel-major order (input channel c produces slots c·2E .. c·2E + 2E −
     * 1, a depthwise convolution with channel multiplier 2E), the pointwise kernels as (slots, C,
     * C) for a batched matrix product, the second-stage depthwise kernels as (2E·C, 1, 5, 5).
     */
    private record Kernels(NDArray dw1, NDArray dw2, NDArray pw1, NDArray dw3, NDArray pw2) {}

    private Kernels kernels(ParameterStore ps, Source s, NDManager sm, boolean training) {
        long c = channels;
        return new Kernels(
                channelMajor(padConcat(ps, s.sep3dw1, s.sep5dw1, sm, training), c),
                channelMajor(padConcat(ps, s.dil3dw, s.dil5dw, sm, training), c),
                matrices(ps, s.pw1, sm, training),
                padConcat(ps, s.sep3dw2, s.sep5dw2, sm, training),
                matrices(ps, s.pw2, sm, training));
    }

    /** (slots·C, 1, k, k) in slot-major order → the same kernels in channel-major order. */
    private static NDArray channelMajor(NDArray w, long c) {
        long slots = w.getShape().get(0) / c;
        long k = w.getShape().get(2);
        return w.reshape(slots, c, k * k).transpose(1, 0, 2).reshape(c * slots, 1, k, k);
    }

    /** A (slots·C, C, 1, 1) pointwise parameter as (slots, C, C), in {@code sm}. */
    private NDArray matrices(ParameterStore ps, Parameter p, NDManager sm, boolean training) {
        NDArray w = ps.getValue(p, sm.getDevice(), training);
        NDArray m = w.reshape(w.getShape().get(0) / channels, channels, channels);
        m.attach(sm);
        return m;
    }

    /**
     * A 3×3 kernel zero-padded to 5×5, then the 5×5 kernel, along the output axis; in {@code sm}.
     */
    private static NDArray padConcat(
            ParameterStore ps, Parameter k3, Parameter k5, NDManager sm, boolean training) {
        NDArray a = ps.getValue(k3, sm.getDevice(), training).pad(new Shape(1, 1, 1, 1), 0);
        a.attach(sm);
        return NDArrays.concat(new NDList(a, ps.getValue(k5, sm.getDevice(), training)), 0);
    }

    private static NDArray conv(NDArray x, NDArray w, int pad, int dilation, long groups) {
        return Conv2d.conv2d(
                        x,
                        w,
                        null,
                        new Shape(1, 1),
                        new Shape(pad, pad),
                        new Shape(dilation, dilation),
                        (int) groups)
                .head();
    }

    private static NDArray bn(
            NDArray x,
            ParameterStore ps,
            Parameter mean,
            Parameter var,
            float keep,
            boolean training) {
        Device d = x.getDevice();
        long c = x.getShape().get(1);
        return BatchNorm.batchNorm(
                        x,
                        ps.getValue(mean, d, training),
                        ps.getValue(var, d, training),
                        ConstantArrays.shared().filled(d, x.getDataType(), c, true),
                        ConstantArrays.shared().filled(d, x.getDataType(), c, false),
                        1,
                        keep,
                        EPS,
                        training)
                .head();
    }

    /**
     * The contributions of state x to the E blocks it feeds: (N, E, C·H·W), edge-summed.
     *
     * @param keep DJL momentum of the BN updates (0.9 for one update)
     */
    private NDArray contribution(
            ParameterStore ps,
            Source s,
            Kernels k,
            NDArray x,
            NDArray mix,
            float keep,
            boolean training) {
        long e = s.edges;
        long c = channels;
        Shape shape = x.getShape();
        long n = shape.get(0);
        long hw = shape.get(2) * shape.get(3);
        // first depthwise stage: channel multiplier 2E at rate 1 (sep) and at rate 2 (dil)
        NDArray r = Activation.relu(x);
        NDArray a = conv(r, k.dw1(), 2, 1, c).reshape(n, c, 2 * e, hw);
        NDArray b = conv(r, k.dw2(), 4, 2, c).reshape(n, c, 2 * e, hw);
        // pointwise stage: one batched product over the 4E slots, (N, 4E, C, HW)
        NDArray ab = NDArrays.concat(new NDList(a, b), 2).transpose(0, 2, 1, 3);
        NDArray p = k.pw1().matMul(ab).reshape(n, 4 * e * c, shape.get(2), shape.get(3));
        NDArray q = bn(p, ps, s.mean1, s.var1, keep, training);
        NDArray sep = q.get(new NDIndex(":, :{}", 2 * e * c));
        NDArray dil = q.get(new NDIndex(":, {}:", 2 * e * c));
        NDArray sep2 =
                conv(Activation.relu(sep), k.dw3(), 2, 1, 2 * e * c).reshape(n, 2 * e, c, hw);
        sep2 = k.pw2().matMul(sep2).reshape(n, 2 * e * c, shape.get(2), shape.get(3));
        sep2 = bn(sep2, ps, s.mean2, s.var2, keep, training);
        Shape k3 = new Shape(3, 3);
        Shape one = new Shape(1, 1);
        NDArray max = Pool.maxPool2d(x, k3, one, one, false);
        NDArray avg =
                Pool.avgPool2d(x, k3, one, one, false, true)
                        .mul(
                                Pool3x3.rescale(
                                        x.getDevice(),
                                        x.getDataType(),
                                        shape.get(2),
                                        shape.get(3),
                                        1));
        NDArray pools =
                bn(
                        NDArrays.concat(new NDList(max, avg), 1),
                        ps,
                        s.poolMean,
                        s.poolVar,
                        keep,
                        training);
        NDArray maps =
                NDArrays.concat(new NDList(sep2, dil, pools, x), 1)
                        .reshape(shape.get(0), 4 * e + 3, c * shape.get(2) * shape.get(3));
        return mix.matMul(maps);
    }

    /**
     * Evaluates the cell once per neighbour, as {@link SearchCell#apply}.
     *
     * @param ps the parameter store
     * @param s0 H^{l−2} at this level's size, or null (must be null when the cell has none)
     * @param s1 H^{l−1} from each neighbour at this level's size, indexed by β choice; null where
     *     absent
     * @param mixing the per-state mixing matrices of this pass ({@link #mixing})
     * @param training whether BNs use batch statistics
     * @return the cell output (N, B·C, H, W) per neighbour, indexed by β choice, null where absent
     */
    public NDArray[] apply(
            ParameterStore ps, NDArray s0, NDArray[] s1, NDArray[] mixing, boolean training) {
        if ((s0 != null) != (prePrev != null)) {
            throw new IllegalArgumentException(
                    "cell "
                            + (prePrev != null ? "needs" : "has no")
                            + " H^{l-2} input, got "
                            + (s0 == null ? "none" : s0.getShape()));
        }
        int present = 0;
        for (int k = 0; k < 3; k++) {
            if ((s1[k] != null) != (pre[k] != null)) {
                throw new IllegalArgumentException("cell input " + k + " presence mismatch");
            }
            if (s1[k] != null) {
                present++;
            }
        }
        NDManager sm = s1[firstPresent(s1)].getManager();
        Kernels[] kernels = new Kernels[blocks + 1];
        for (int j = 0; j <= blocks; j++) {
            if (sources[j] != null) {
                kernels[j] = kernels(ps, sources[j], sm, training);
            }
        }
        NDArray fromPrevPrev = null;
        if (s0 != null) {
            NDArray p0 = prePrev.forward(ps, new NDList(s0), training).head();
            float keep = (float) Math.pow(KEEP, present);
            fromPrevPrev = contribution(ps, sources[0], kernels[0], p0, mixing[0], keep, training);
        }
        NDArray[] out = new NDArray[3];
        for (int k = 0; k < 3; k++) {
            if (s1[k] == null) {
                continue;
            }
            NDArray p1 = pre[k].forward(ps, new NDList(s1[k]), training).head();
            Shape shape = p1.getShape();
            NDArray pending =
                    contribution(ps, sources[1], kernels[1], p1, mixing[1], KEEP, training);
            if (fromPrevPrev != null) {
                pending = pending.add(fromPrevPrev);
            }
            NDList states = new NDList(blocks);
            for (int i = 0; i < blocks; i++) {
                NDArray state = pending.get(new NDIndex(":, 0")).reshape(shape);
                states.add(state);
                if (i + 1 < blocks) {
                    int j = i + 2;
                    pending =
                            pending.get(new NDIndex(":, 1:"))
                                    .add(
                                            contribution(
                                                    ps,
                                                    sources[j],
                                                    kernels[j],
                                                    state,
                                                    mixing[j],
                                                    KEEP,
                                                    training));
                }
            }
            out[k] = NDArrays.concat(states, 1);
        }
        return out;
    }

    private static int firstPresent(NDArray[] s1) {
        for (int k = 0; k < s1.length; k++) {
            if (s1[k] != null) {
                return k;
            }
        }
        throw new IllegalArgumentException("no H^{l-1} input");
    }

    /**
     * Copies the weights and running statistics of a {@link SearchCell} of the same shape into this
     * cell, so that both compute the same function (used to check the fused evaluation against the
     * plain one, and to load a plain checkpoint).
     *
     * @param plain the source cell
     */
    public void copyFrom(SearchCell plain) {
        copyBlock(plain.prePrevBlock(), prePrev);
        for (int k = 0; k < 3; k++) {
            copyBlock(plain.preBlock(k), pre[k]);
        }
        for (int j = 0; j <= blocks; j++) {
            Source s = sources[j];
            if (s == null) {
                continue;
            }
            int e = s.edges;
            for (int r = 0; r < e; r++) {
                Map<String, Parameter> p =
                        byPlainName(plain.edge(edgeIndex(blockOf(j, r), j)).getParameters());
                place(s.sep3dw1, r, e, 1, p.get("sep_conv_3x3_conv2d0_weight"));
                place(s.sep5dw1, r, e, 1, p.get("sep_conv_5x5_conv2d0_weight"));
                place(s.dil3dw, r, e, 1, p.get("dil_conv_3x3_conv2d0_weight"));
                place(s.dil5dw, r, e, 1, p.get("dil_conv_5x5_conv2d0_weight"));
                place(s.pw1, r, e, 4, p.get("sep_conv_3x3_conv2d1_weight"));
                place(s.pw1, e + r, e, 4, p.get("sep_conv_5x5_conv2d1_weight"));
                place(s.pw1, 2 * e + r, e, 4, p.get("dil_conv_3x3_conv2d1_weight"));
                place(s.pw1, 3 * e + r, e, 4, p.get("dil_conv_5x5_conv2d1_weight"));
                place(s.mean1, r, e, 4, p.get("sep_conv_3x3_batchnorm2_runningMean"));
                place(s.mean1, e + r, e, 4, p.get("sep_conv_5x5_batchnorm2_runningMean"));
                place(s.mean1, 2 * e + r, e, 4, p.get("dil_conv_3x3_batchnorm2_runningMean"));
                place(s.mean1, 3 * e + r, e, 4, p.get("dil_conv_5x5_batchnorm2_runningMean"));
                place(s.var1, r, e, 4, p.get("sep_conv_3x3_batchnorm2_runningVar"));
                place(s.var1, e + r, e, 4, p.get("sep_conv_5x5_batchnorm2_runningVar"));
                place(s.var1, 2 * e + r, e, 4, p.get("dil_conv_3x3_batchnorm2_runningVar"));
                place(s.var1, 3 * e + r, e, 4, p.get("dil_conv_5x5_batchnorm2_runningVar"));
                place(s.sep3dw2, r, e, 1, p.get("sep_conv_3x3_conv2d3_weight"));
                place(s.sep5dw2, r, e, 1, p.get("sep_conv_5x5_conv2d3_weight"));
                place(s.pw2, r, e, 2, p.get("sep_conv_3x3_conv2d4_weight"));
                place(s.pw2, e + r, e, 2, p.get("sep_conv_5x5_conv2d4_weight"));
                place(s.mean2, r, e, 2, p.get("sep_conv_3x3_batchnorm5_runningMean"));
                place(s.mean2, e + r, e, 2, p.get("sep_conv_5x5_batchnorm5_runningMean"));
                place(s.var2, r, e, 2, p.get("sep_conv_3x3_batchnorm5_runningVar"));
                place(s.var2, e + r, e, 2, p.get("sep_conv_5x5_batchnorm5_runningVar"));
                if (r == 0) {
                    place(s.poolMean, 0, 1, 2, p.get("max_pool_3x3_batchnorm1_runningMean"));
                    place(s.poolMean, 1, 1, 2, p.get("avg_pool_3x3_batchnorm1_runningMean"));
                    place(s.poolVar, 0, 1, 2, p.get("max_pool_3x3_batchnorm1_runningVar"));
                    place(s.poolVar, 1, 1, 2, p.get("avg_pool_3x3_batchnorm1_runningVar"));
                }
            }
        }
    }

    /**
     * Parameters by name without DJL's two-digit child-order prefixes ({@code
     * 04sep_conv_3x3_01conv2d0_weight} → {@code sep_conv_3x3_conv2d0_weight}).
     */
    static Map<String, Parameter> byPlainName(PairList<String, Parameter> params) {
        Map<String, Parameter> out = new java.util.HashMap<>();
        for (int i = 0; i < params.size(); i++) {
            out.put(params.keyAt(i).replaceAll("(^|_)\\d{2}", "$1"), params.valueAt(i));
        }
        return out;
    }

    /**
     * Writes {@code from}'s array into slot {@code slot} of {@code to}, whose first axis holds
     * {@code unit · groups} equal slots.
     */
    private static void place(Parameter to, int slot, int unit, int groups, Parameter from) {
        if (from == null) {
            throw new IllegalStateException("plain cell lacks a parameter for " + to.getName());
        }
        NDArray dst = to.getArray();
        long rows = dst.getShape().get(0) / ((long) unit * groups);
        long lo = slot * rows;
        dst.set(new NDIndex("{}:{}", lo, lo + rows), from.getArray());
    }

    static void copyBlock(Block from, Block to) {
        if (from == null || to == null) {
            if (from != to) {
                throw new IllegalStateException("blocks differ in presence");
            }
            return;
        }
        PairList<String, Parameter> a = from.getParameters();
        PairList<String, Parameter> b = to.getParameters();
        if (a.size() != b.size()) {
            throw new IllegalStateException("blocks differ in parameters");
        }
        for (int i = 0; i < a.size(); i++) {
            a.valueAt(i).getArray().copyTo(b.valueAt(i).getArray());
        }
    }

    /** Trainable weights of the cell: the same as a {@link SearchCell}'s. */
    public static long weightCount(
            int blocks, int channels, int prevPrevChannels, int[] inChannels, List<OpSpec> ops) {
        return SearchCell.weightCount(blocks, channels, prevPrevChannels, inChannels, ops);
    }
}
