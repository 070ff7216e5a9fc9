package org.dpnas.common.search.darts;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;
import org.dpnas.common.nn.BatchNorms;
import org.dpnas.common.nn.ConstantArrays;
import org.dpnas.common.nn.ops.OpSpec;
import org.dpnas.common.nn.ops.Pool3x3;

/**
 * The mixed edges of one DARTS cell (Liu et al., ICLR 2019, Sec. 2.1–2.2, Eq. 1) evaluated with
 * few, large engine ops: every edge that reads the same state (cell input 0, input 1 or a block
 * output) is computed together with all its candidate ops. It computes the same function, with the
 * same number of weights, as one {@link org.dpnas.common.nn.ops.MixedOp} per edge over the DARTS op
 * table (with or without {@code none}); the cell that owns it preprocesses its inputs and decides
 * how often it is evaluated.
 *
 * <p>For a state x read by E edges (E = B for the two cell inputs, B − j + 1 for block j − 2), with
 * stride s (the cell's input stride for the two inputs, 1 for blocks):
 *
 * <ul>
 *   <li>ReLU(x) is tiled 2E times along the channels; one depthwise convolution (5×5, rate 1,
 *       stride s) runs the first depthwise stage of the E sep 3×3 and E sep 5×5 ops, one (5×5, rate
 *       2, stride s) that of the E dil 3×3 and E dil 5×5 ops — a 3×3 kernel enters zero-padded to
 *       5×5 (padded each pass, so only the 3×3 entries are weights);
 *   <li>one batched 1×1 product (4E slots) is the pointwise stage of all four, one non-affine
 *       BatchNorm call normalises the 4E·C channels;
 *   <li>the separable ops' second stage is again one depthwise, one batched pointwise and one
 *       BatchNorm call over 2E·C channels;
 *   <li>max and average pooling (and their BN) are computed once: without affine parameters the BN
 *       of every edge reading x sees the same input, so the edges' outputs and running statistics
 *       are equal, and one copy per state is kept; so is {@code skip_connect} at stride 1 (x
 *       itself), while at stride 2 each edge's factorized reduction (two strided 1×1 convolutions
 *       and a BN) has its own weights, again evaluated as one convolution per half and one BN;
 *   <li>the candidate maps are weighted and summed per edge by one matrix product with the (E,
 *       slots) mixing matrix built once per pass from softmax(α) ({@link #mixing}); {@code none}
 *       contributes nothing.
 * </ul>
 *
 * <p>Parameter layout per read state j ({@code s<j>_} prefix): {@code sep3_dw1} (E·C, 1, 3, 3),
 * {@code sep5_dw1} (E·C, 1, 5, 5), {@code dil3_dw}, {@code dil5_dw}, {@code pw1} (4E·C, C, 1, 1) in
 * op-major order [sep 3, sep 5, dil 3, dil 5] × edge, {@code sep3_dw2}, {@code sep5_dw2}, {@code
 * pw2} (2E·C, C, 1, 1), at stride 2 {@code fr_left} and {@code fr_right} (E·C/2, C, 1, 1), and the
 * running statistics of the BN calls; edge e of state j is the edge into block {@link
 * CellGraph#blockOf}(j, e). {@link #copyFrom} maps per-edge mixed ops onto this layout.
 */
public final class FusedEdges {

    /** The op kinds evaluated per edge; α's columns are looked up in the op table. */
    private static final List<OpSpec> CONV_KINDS =
            List.of(
                    OpSpec.SEP_CONV_3X3,
                    OpSpec.SEP_CONV_5X5,
                    OpSpec.DIL_CONV_3X3,
                    OpSpec.DIL_CONV_5X5);

    private static final List<OpSpec> SHARED_KINDS =
            List.of(OpSpec.MAX_POOL_3X3, OpSpec.AVG_POOL_3X3, OpSpec.SKIP_CONNECT);

    /** DJL momentum (torch 1 − 0.1) of every edge BN. */
    public static final float KEEP = 0.9f;

    private static final float EPS = 1e-5f;

    private final int blocks;
    private final int channels;
    private final int inputStride;
    private final Source[] sources;

    /** The parameters of the edges that read one state. */
    private final class Source {
        final int edges;
        final int stride;
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
        final Parameter frLeft;
        final Parameter frRight;
        final Parameter frMean;
        final Parameter frVar;

        Source(int j, int edges, int stride, UnaryOperator<Parameter> add) {
            this.edges = edges;
            this.stride = stride;
            long ec = (long) edges * channels;
            String p = "s" + j + "_";
            sep3dw1 = add.apply(weight(p + "sep3_dw1", new Shape(ec, 1, 3, 3)));
            sep5dw1 = add.apply(weight(p + "sep5_dw1", new Shape(ec, 1, 5, 5)));
            dil3dw = add.apply(weight(p + "dil3_dw", new Shape(ec, 1, 3, 3)));
            dil5dw = add.apply(weight(p + "dil5_dw", new Shape(ec, 1, 5, 5)));
            pw1 = add.apply(weight(p + "pw1", new Shape(4 * ec, channels, 1, 1)));
            sep3dw2 = add.apply(weight(p + "sep3_dw2", new Shape(ec, 1, 3, 3)));
            sep5dw2 = add.apply(weight(p + "sep5_dw2", new Shape(ec, 1, 5, 5)));
            pw2 = add.apply(weight(p + "pw2", new Shape(2 * ec, channels, 1, 1)));
            mean1 = add.apply(stat(p + "bn1_mean", 4 * ec, Parameter.Type.RUNNING_MEAN));
            var1 = add.apply(stat(p + "bn1_var", 4 * ec, Parameter.Type.RUNNING_VAR));
            mean2 = add.apply(stat(p + "bn2_mean", 2 * ec, Parameter.Type.RUNNING_MEAN));
            var2 = add.apply(stat(p + "bn2_var", 2 * ec, Parameter.Type.RUNNING_VAR));
            poolMean = add.apply(stat(p + "pool_mean", 2L * channels, Parameter.Type.RUNNING_MEAN));
            poolVar = add.apply(stat(p + "pool_var", 2L * channels, Parameter.Type.RUNNING_VAR));
            if (stride == 2) {
                frLeft = add.apply(weight(p + "fr_left", new Shape(ec / 2, channels, 1, 1)));
                frRight = add.apply(weight(p + "fr_right", new Shape(ec / 2, channels, 1, 1)));
                frMean = add.apply(stat(p + "fr_mean", ec, Parameter.Type.RUNNING_MEAN));
                frVar = add.apply(stat(p + "fr_var", ec, Parameter.Type.RUNNING_VAR));
            } else {
                frLeft = null;
                frRight = null;
                frMean = null;
                frVar = null;
            }
        }

        /** Candidate maps per edge: 4E convolutions, max, avg, then skip (1 shared or E). */
        int slots() {
            return 4 * edges + 2 + (stride == 2 ? edges : 1);
        }
    }

    private static Parameter weight(String name, Shape shape) {
        return Parameter.builder()
                .setName(name)
                .setType(Parameter.Type.WEIGHT)
                .optShape(shape)
                .build();
    }

    private static Parameter stat(String name, long size, Parameter.Type type) {
        return Parameter.builder()
                .setName(name)
                .setType(type)
                .optShape(new Shape(size))
                .optRequiresGrad(false)
                .optInitializer(
                        type == Parameter.Type.RUNNING_VAR ? Initializer.ONES : Initializer.ZEROS)
                .build();
    }

    /**
     * Creates the edges' parameters, registering each through {@code add} (the owning block's
     * {@code addParameter}), state by state in the order of the layout above.
     *
     * @param blocks B
     * @param channels C, channels of every state (even when {@code inputStride} is 2)
     * @param hasInput0 whether the cell has its first input (state 0); without it no edge reads it
     * @param inputStride 1, or 2 for a reduction cell (edges from the two cell inputs have stride
     *     2)
     * @param ops the candidate ops; see {@link #requireOps}
     * @param add registers a parameter with the owning block and returns it
     */
    public FusedEdges(
            int blocks,
            int channels,
            boolean hasInput0,
            int inputStride,
            List<OpSpec> ops,
            UnaryOperator<Parameter> add) {
        requireOps(ops);
        if (inputStride != 1 && inputStride != 2) {
            throw new IllegalArgumentException("input stride must be 1 or 2, got " + inputStride);
        }
        if (inputStride == 2 && channels % 2 != 0) {
            throw new IllegalArgumentException(
                    "a reduction cell's skip_connect needs even channels, got " + channels);
        }
        this.blocks = blocks;
        this.channels = channels;
        this.inputStride = inputStride;
        sources = new Source[blocks + 1];
        for (int j = 0; j <= blocks; j++) {
            if (j > 0 || hasInput0) {
                sources[j] =
                        new Source(j, CellGraph.edgesFrom(blocks, j), j < 2 ? inputStride : 1, add);
            }
        }
    }

    /**
     * Whether the fused evaluation implements {@code ops}: the seven non-{@code none} DARTS ops,
     * with or without {@code none}, each once, in any order (α's columns follow the table).
     */
    public static boolean supports(List<OpSpec> ops) {
        List<OpSpec> real = ops.stream().filter(o -> o != OpSpec.NONE).toList();
        return ops.size() == ops.stream().distinct().count()
                && real.size() == OpSpec.darts().size() - 1
                && real.containsAll(CONV_KINDS)
                && real.containsAll(SHARED_KINDS);
    }

    /** Refuses an op table the fused evaluation does not implement ({@link #supports}). */
    public static void requireOps(List<OpSpec> ops) {
        if (!supports(ops)) {
            throw new IllegalArgumentException(
                    "the fused cell implements the DARTS ops "
                            + OpSpec.darts()
                            + " (none optional, in any order), got "
                            + ops);
        }
    }

    /**
     * The mixing matrices of a forward pass, one per read state j = 0..B: (E_j, slots_j), row e
     * holding the weights of edge e of state j over the candidate maps [sep 3 × E, sep 5 × E, dil 3
     * × E, dil 5 × E, max, avg, skip (× E at stride 2)] (zero for the other edges' maps). Shared by
     * every cell of one α.
     *
     * @param alphaHat softmax(α), (edges, ops); the results land in its manager
     * @param blocks B
     * @param ops the op table, in the order of α's columns
     * @param inputStride the cells' input stride (1, or 2 for reduction cells)
     * @return the matrices, indexed by state
     */
    public static NDArray[] mixing(
            NDArray alphaHat, int blocks, List<OpSpec> ops, int inputStride) {
        requireOps(ops);
        long rows = alphaHat.getShape().get(0);
        long cols = alphaHat.getShape().get(1);
        if (rows != (long) blocks * (blocks + 3) / 2 || cols != ops.size()) {
            throw new IllegalArgumentException(
                    "softmax(α) of shape "
                            + alphaHat.getShape()
                            + " does not fit a cell of "
                            + blocks
                            + " blocks over "
                            + ops.size()
                            + " ops");
        }
        NDArray flat = alphaHat.reshape(1, rows * cols);
        NDArray[] out = new NDArray[blocks + 1];
        for (int j = 0; j <= blocks; j++) {
            int e = CellGraph.edgesFrom(blocks, j);
            int skipSlots = j < 2 && inputStride == 2 ? e : 1;
            NDArray select = selection(alphaHat, blocks, j, (int) rows, ops, skipSlots);
            out[j] = flat.matMul(select).reshape(e, 4L * e + 2 + skipSlots);
        }
        return out;
    }

    /**
     * The constant (edges·ops, E·slots) 0/1 matrix that places α̂'s entries for state j; the column
     * of each op kind is its index in {@code ops}.
     */
    private static NDArray selection(
            NDArray alphaHat, int blocks, int j, int rows, List<OpSpec> ops, int skipSlots) {
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
                        + skipSlots
                        + Arrays.toString(conv)
                        + Arrays.toString(shared);
        return ConstantArrays.shared()
                .get(
                        key,
                        alphaHat.getDevice(),
                        alphaHat.getDataType(),
                        () -> {
                            int e = CellGraph.edgesFrom(blocks, j);
                            int width = 4 * e + 2 + skipSlots;
                            float[] m = new float[rows * cols * e * width];
                            for (int r = 0; r < e; r++) {
                                int edge = CellGraph.edgeIndex(CellGraph.blockOf(j, r), j);
                                int row = r * width;
                                for (int o = 0; o < conv.length; o++) {
                                    m[(edge * cols + conv[o]) * e * width + row + o * e + r] = 1f;
                                }
                                for (int s = 0; s < shared.length; s++) {
                                    int slot = 4 * e + s + (s == 2 && skipSlots > 1 ? r : 0);
                                    m[(edge * cols + shared[s]) * e * width + row + slot] = 1f;
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

    private static NDArray conv(
            NDArray x, NDArray w, int stride, int pad, int dilation, long groups) {
        return Conv2d.conv2d(
                        x,
                        w,
                        null,
                        new Shape(stride, stride),
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
        return BatchNorms.apply(
                x,
                ps.getValue(mean, d, training),
                ps.getValue(var, d, training),
                ConstantArrays.shared().filled(d, x.getDataType(), c, true),
                ConstantArrays.shared().filled(d, x.getDataType(), c, false),
                keep,
                EPS,
                training);
    }

    /**
     * The contributions of state x to the E blocks it feeds: (N, E, C·H'·W'), edge-summed.
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
        // every intermediate is closed on return: what the backward pass needs, autograd keeps
        try (NDScope scope = new NDScope()) {
            NDArray out = contributionScoped(ps, s, k, x, mix, keep, training);
            NDScope.unregister(out);
            return out;
        }
    }

    private NDArray contributionScoped(
            ParameterStore ps,
            Source s,
            Kernels k,
            NDArray x,
            NDArray mix,
            float keep,
            boolean training) {
        long e = s.edges;
        long c = channels;
        int st = s.stride;
        Shape shape = x.getShape();
        long n = shape.get(0);
        long h = (shape.get(2) - 1) / st + 1;
        long w = (shape.get(3) - 1) / st + 1;
        long hw = h * w;
        // first depthwise stage: channel multiplier 2E at rate 1 (sep) and at rate 2 (dil)
        NDArray r = Activation.relu(x);
        NDArray a = conv(r, k.dw1(), st, 2, 1, c).reshape(n, c, 2 * e, hw);
        NDArray b = conv(r, k.dw2(), st, 4, 2, c).reshape(n, c, 2 * e, hw);
        // pointwise stage: one batched product over the 4E slots, (N, 4E, C, HW)
        NDArray ab = NDArrays.concat(new NDList(a, b), 2).transpose(0, 2, 1, 3);
        NDArray p = k.pw1().matMul(ab).reshape(n, 4 * e * c, h, w);
        NDArray q = bn(p, ps, s.mean1, s.var1, keep, training);
        NDList halves = q.split(2, 1);
        NDArray sep = halves.get(0);
        NDArray dil = halves.get(1);
        NDArray sep2 =
                conv(Activation.relu(sep), k.dw3(), 1, 2, 1, 2 * e * c).reshape(n, 2 * e, c, hw);
        sep2 = k.pw2().matMul(sep2).reshape(n, 2 * e * c, h, w);
        sep2 = bn(sep2, ps, s.mean2, s.var2, keep, training);
        Shape k3 = new Shape(3, 3);
        Shape stride = new Shape(st, st);
        Shape one = new Shape(1, 1);
        NDArray max = Pool.maxPool2d(x, k3, stride, one, false);
        NDArray avg =
                Pool.avgPool2d(x, k3, stride, one, false, true)
                        .mul(
                                Pool3x3.rescale(
                                        x.getDevice(),
                                        x.getDataType(),
                                        shape.get(2),
                                        shape.get(3),
                                        st));
        NDArray pools =
                bn(
                        NDArrays.concat(new NDList(max, avg), 1),
                        ps,
                        s.poolMean,
                        s.poolVar,
                        keep,
                        training);
        NDArray skip = st == 1 ? x : factorizedReduce(ps, s, r, keep, training);
        NDArray maps =
                NDArrays.concat(new NDList(sep2, dil, pools, skip), 1)
                        .reshape(n, s.slots(), c * hw);
        return mix.matMul(maps);
    }

    /**
     * The E factorized reductions of a stride-2 state, from its ReLU: (N, E·C, H/2, W/2), edge e's
     * C channels being its left half then its right half, as {@link
     * org.dpnas.common.nn.ops.FactorizedReduce}.
     */
    private NDArray factorizedReduce(
            ParameterStore ps, Source s, NDArray r, float keep, boolean training) {
        Device d = r.getDevice();
        NDArray left = conv(r, ps.getValue(s.frLeft, d, training), 2, 0, 1, 1);
        NDArray right =
                conv(r.get(":, :, 1:, 1:"), ps.getValue(s.frRight, d, training), 2, 0, 1, 1);
        Shape ls = left.getShape();
        Shape rs = right.getShape();
        if (!ls.equals(rs)) {
            throw new IllegalArgumentException(
                    "a reduction cell needs even input sizes, got " + r.getShape());
        }
        long n = ls.get(0);
        long e = s.edges;
        long half = channels / 2;
        long hw = ls.get(2) * ls.get(3);
        NDArray both =
                NDArrays.concat(
                                new NDList(
                                        left.reshape(n, e, half, hw),
                                        right.reshape(n, e, half, hw)),
                                2)
                        .reshape(n, e * channels, ls.get(2), ls.get(3));
        return bn(both, ps, s.frMean, s.frVar, keep, training);
    }

    /**
     * Evaluates the cell's blocks once per second input, sharing the first input's contributions:
     * block i sums its edges from state 0 ({@code p0}), state 1 (one of {@code p1}) and blocks
     * 0..i−1; the output concatenates the B blocks.
     *
     * <p>State 0 feeds every evaluation, so its contributions are computed once. When a cell is
     * evaluated k times (one per {@code p1}), plain per-edge BNs reading state 0 update their
     * running statistics k times with the same batch statistics; with torch momentum m that is one
     * update with momentum 1 − (1 − m)^k, which is what is done here. Every other BN is updated
     * once per evaluation.
     *
     * @param ps the parameter store
     * @param p0 the preprocessed first input (N, C, H, W), or null when the cell has none
     * @param p1 the preprocessed second inputs (N, C, H, W), null entries skipped
     * @param mixing the per-state mixing matrices of this pass ({@link #mixing})
     * @param training whether BNs use batch statistics
     * @return per entry of {@code p1}, the cell output (N, B·C, H', W'), null where {@code p1} is
     */
    public NDArray[] evaluate(
            ParameterStore ps, NDArray p0, NDArray[] p1, NDArray[] mixing, boolean training) {
        if ((p0 != null) != (sources[0] != null)) {
            throw new IllegalArgumentException(
                    "cell "
                            + (sources[0] != null ? "needs" : "has no")
                            + " first input, got "
                            + (p0 == null ? "none" : p0.getShape()));
        }
        if (mixing.length != blocks + 1) {
            throw new IllegalArgumentException(
                    "expected " + (blocks + 1) + " mixing matrices, got " + mixing.length);
        }
        int present = 0;
        NDArray first = null;
        for (NDArray x : p1) {
            if (x != null) {
                present++;
                first = first == null ? x : first;
            }
        }
        if (first == null) {
            throw new IllegalArgumentException("no second input");
        }
        try (NDScope scope = new NDScope()) {
            NDArray[] out = evaluateScoped(ps, p0, p1, mixing, training, present, first);
            for (NDArray o : out) {
                if (o != null) {
                    NDScope.unregister(o);
                }
            }
            return out;
        }
    }

    private NDArray[] evaluateScoped(
            ParameterStore ps,
            NDArray p0,
            NDArray[] p1,
            NDArray[] mixing,
            boolean training,
            int present,
            NDArray first) {
        NDManager sm = first.getManager();
        Kernels[] kernels = new Kernels[blocks + 1];
        for (int j = 0; j <= blocks; j++) {
            if (sources[j] != null) {
                kernels[j] = kernels(ps, sources[j], sm, training);
            }
        }
        NDArray fromFirst = null;
        if (p0 != null) {
            float keep = (float) Math.pow(KEEP, present);
            fromFirst = contribution(ps, sources[0], kernels[0], p0, mixing[0], keep, training);
        }
        // a contribution (N, E, C·H·W) is split once into its E edges' pieces (one op, whose
        // backward is one concatenation), not sliced per block
        NDList firstPieces = fromFirst == null ? null : pieces(fromFirst);
        NDArray[] out = new NDArray[p1.length];
        for (int k = 0; k < p1.length; k++) {
            if (p1[k] == null) {
                continue;
            }
            Shape in = p1[k].getShape();
            Shape shape =
                    new Shape(
                            in.get(0),
                            channels,
                            (in.get(2) - 1) / inputStride + 1,
                            (in.get(3) - 1) / inputStride + 1);
            // partial sums per block, added in the order state 1, state 0, blocks 0, 1, …
            NDList second =
                    pieces(
                            contribution(
                                    ps, sources[1], kernels[1], p1[k], mixing[1], KEEP, training));
            NDArray[] sums = new NDArray[blocks];
            for (int i = 0; i < blocks; i++) {
                sums[i] =
                        firstPieces == null ? second.get(i) : second.get(i).add(firstPieces.get(i));
            }
            NDList states = new NDList(blocks);
            for (int i = 0; i < blocks; i++) {
                NDArray state = sums[i].reshape(shape);
                states.add(state);
                if (i + 1 < blocks) {
                    int j = i + 2;
                    NDList c =
                            pieces(
                                    contribution(
                                            ps,
                                            sources[j],
                                            kernels[j],
                                            state,
                                            mixing[j],
                                            KEEP,
                                            training));
                    for (int e = 0; e < c.size(); e++) {
                        int block = CellGraph.blockOf(j, e);
                        sums[block] = sums[block].add(c.get(e));
                    }
                }
            }
            out[k] = NDArrays.concat(states, 1);
        }
        return out;
    }

    /** A contribution (N, E, C·H·W) as its E pieces (N, 1, C·H·W), edge order. */
    private static NDList pieces(NDArray contribution) {
        long e = contribution.getShape().get(1);
        return e == 1 ? new NDList(contribution) : contribution.split(e, 1);
    }

    /**
     * Copies the weights and running statistics of per-edge mixed ops of the same shape into these
     * fused edges, so that both compute the same function (used to check the fused evaluation
     * against the plain one, and to load a plain checkpoint).
     *
     * @param edge the mixed op of edge index i (α's row order), or null where the cell has none
     */
    public void copyFrom(IntFunction<Block> edge) {
        for (int j = 0; j <= blocks; j++) {
            Source s = sources[j];
            if (s == null) {
                continue;
            }
            int e = s.edges;
            for (int r = 0; r < e; r++) {
                Block plain = edge.apply(CellGraph.edgeIndex(CellGraph.blockOf(j, r), j));
                if (plain == null) {
                    throw new IllegalStateException("no plain edge for state " + j + ", edge " + r);
                }
                Map<String, Parameter> p = byPlainName(plain.getParameters());
                place(s.sep3dw1, r, e, 1, p.get("sep_conv_3x3_conv2d0_weight"));
                place(s.sep5dw1, r, e, 1, p.get("sep_conv_5x5_conv2d0_weight"));
                place(s.dil3dw, r, e, 1, p.get("dil_conv_3x3_conv2d0_weight"));
                place(s.dil5dw, r, e, 1, p.get("dil_conv_5x5_conv2d0_weight"));
                String[] first = {"sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5"};
                for (int o = 0; o < 4; o++) {
                    String bn = first[o] + "_batchnorm2_";
                    place(s.pw1, o * e + r, e, 4, p.get(first[o] + "_conv2d1_weight"));
                    place(s.mean1, o * e + r, e, 4, p.get(bn + "runningMean"));
                    place(s.var1, o * e + r, e, 4, p.get(bn + "runningVar"));
                }
                place(s.sep3dw2, r, e, 1, p.get("sep_conv_3x3_conv2d3_weight"));
                place(s.sep5dw2, r, e, 1, p.get("sep_conv_5x5_conv2d3_weight"));
                for (int o = 0; o < 2; o++) {
                    place(s.pw2, o * e + r, e, 2, p.get(first[o] + "_conv2d4_weight"));
                    place(s.mean2, o * e + r, e, 2, p.get(first[o] + "_batchnorm5_runningMean"));
                    place(s.var2, o * e + r, e, 2, p.get(first[o] + "_batchnorm5_runningVar"));
                }
                if (r == 0) {
                    place(s.poolMean, 0, 1, 2, p.get("max_pool_3x3_batchnorm1_runningMean"));
                    place(s.poolMean, 1, 1, 2, p.get("avg_pool_3x3_batchnorm1_runningMean"));
                    place(s.poolVar, 0, 1, 2, p.get("max_pool_3x3_batchnorm1_runningVar"));
                    place(s.poolVar, 1, 1, 2, p.get("avg_pool_3x3_batchnorm1_runningVar"));
                }
                if (s.stride == 2) {
                    place(s.frLeft, r, e, 1, p.get("skip_connect_left_weight"));
                    place(s.frRight, r, e, 1, p.get("skip_connect_right_weight"));
                    place(s.frMean, r, e, 1, p.get("skip_connect_bn_runningMean"));
                    place(s.frVar, r, e, 1, p.get("skip_connect_bn_runningVar"));
                }
            }
        }
    }

    /**
     * Parameters by name without DJL's two-digit child-order prefixes ({@code
     * 04sep_conv_3x3_01conv2d0_weight} → {@code sep_conv_3x3_conv2d0_weight}).
     */
    public static Map<String, Parameter> byPlainName(PairList<String, Parameter> params) {
        Map<String, Parameter> out = new HashMap<>();
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
            throw new IllegalStateException("plain edge lacks a parameter for " + to.getName());
        }
        NDArray dst = to.getArray();
        long rows = dst.getShape().get(0) / ((long) unit * groups);
        long lo = slot * rows;
        dst.set(new NDIndex("{}:{}", lo, lo + rows), from.getArray());
    }
}
