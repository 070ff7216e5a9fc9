package org.dpnas.cas;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.common.cost.CostAware;
import org.dpnas.common.cost.CostCounter;
import org.dpnas.common.nn.ops.FactorizedReduce;
import org.dpnas.common.nn.ops.MixedOp;
import org.dpnas.common.nn.ops.OpSpec;
import org.dpnas.common.nn.ops.ReluConvBn;
import org.dpnas.common.search.darts.CellEdge;
import org.dpnas.common.search.darts.CellGraph;
import org.dpnas.common.search.darts.FusedEdges;

/**
 * A CAS normal or reduction cell (Zhang et al., CVPR 2019, Sec. 3.1, the DARTS cell of Liu et al.,
 * ICLR 2019, Sec. 2.1): the two previous cells' outputs are preprocessed to C channels (a
 * factorized reduction when the earlier one is twice as large), B blocks each sum their edges, and
 * the cell's output concatenates the B blocks (B·C channels). In a reduction cell the edges from
 * the two cell inputs have stride 2.
 *
 * <p>Two forms: <b>mixed</b> (the supernet: every edge of the {@link CellGraph} is a mixed op;
 * inputs {@code (s0, s1, w)} with w = softmax(α) of shape (edges, ops), optionally followed by the
 * B + 1 mixing matrices of {@link FusedEdges#mixing} computed once per pass) and <b>fixed</b> (the
 * edges of a decoded cell, each one op with affine BN; inputs {@code (s0, s1)}). A mixed cell over
 * the DARTS ops evaluates its edges fused ({@link FusedEdges}, the default) or plain (one {@link
 * MixedOp} per edge); both compute the same function with the same number of weights.
 */
public final class CasCell extends AbstractBlock implements CostAware {

    private final boolean reduction;
    private final int channels;
    private final int blocks;
    private final Block pre0;
    private final Block pre1;

    /** Per block: its edges' inputs and ops (mixed: every input j, in CellGraph order). */
    private final int[][] inputs;

    private final Block[][] ops;
    private final boolean mixed;
    private final boolean prevReduction;
    private final int prevPrevChannels;
    private final List<OpSpec> candidates;

    /** The fused edges of a fused mixed cell, else null. */
    private final FusedEdges fused;

    /** Holds the fused edges' parameters (a child block), else null. */
    private final ParameterHolder fusedParams;

    /**
     * A fused cell's plain edges, never initialised nor registered: they describe the candidate ops
     * for cost counting (same weights and multiply-adds as the fused evaluation).
     */
    private final MixedOp[] costEdges;

    /** A child block that only holds parameters registered by its owner. */
    private static final class ParameterHolder extends AbstractBlock {
        Parameter add(Parameter p) {
            return addParameter(p);
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps,
                NDList inputs,
                boolean training,
                PairList<String, Object> params) {
            throw new UnsupportedOperationException("holds parameters only");
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return inputShapes;
        }
    }

    /**
     * Creates a cell.
     *
     * @param cell the decoded cell, or null for the mixed (supernet) cell over every edge
     * @param blocks B
     * @param candidates the candidate ops of a mixed cell (ignored for a fixed one)
     * @param reduction whether the cell halves the resolution
     * @param prevReduction whether the previous cell halved it (input 0 is then twice as large)
     * @param prevPrevChannels channels of input 0
     * @param channels C
     */
    public CasCell(
            List<List<CellEdge>> cell,
            int blocks,
            List<OpSpec> candidates,
            boolean reduction,
            boolean prevReduction,
            int prevPrevChannels,
            int channels) {
        this(cell, blocks, candidates, reduction, prevReduction, prevPrevChannels, channels, false);
    }

    /**
     * Creates a cell, a mixed one optionally fused.
     *
     * @param cell the decoded cell, or null for the mixed (supernet) cell over every edge
     * @param blocks B
     * @param candidates the candidate ops of a mixed cell (ignored for a fixed one)
     * @param reduction whether the cell halves the resolution
     * @param prevReduction whether the previous cell halved it (input 0 is then twice as large)
     * @param prevPrevChannels channels of input 0
     * @param channels C
     * @param fuse whether a mixed cell evaluates its edges fused ({@link FusedEdges#supports} the
     *     candidates); ignored for a fixed cell
     */
    public CasCell(
            List<List<CellEdge>> cell,
            int blocks,
            List<OpSpec> candidates,
            boolean reduction,
            boolean prevReduction,
            int prevPrevChannels,
            int channels,
            boolean fuse) {
        this.reduction = reduction;
        this.channels = channels;
        this.blocks = blocks;
        this.mixed = cell == null;
        this.prevReduction = prevReduction;
        this.prevPrevChannels = prevPrevChannels;
        this.candidates = List.copyOf(candidates);
        boolean affine = !mixed;
        if (cell != null && cell.size() != blocks) {
            throw new IllegalArgumentException(
                    "cell has " + cell.size() + " blocks, expected " + blocks);
        }
        pre0 =
                addChildBlock(
                        "pre0",
                        prevReduction
                                ? new FactorizedReduce(prevPrevChannels, channels, affine)
                                : new ReluConvBn(channels, 1, 1, affine));
        pre1 = addChildBlock("pre1", new ReluConvBn(channels, 1, 1, affine));
        boolean fusedCell = mixed && fuse;
        if (fusedCell) {
            fusedParams = addChildBlock("fused", new ParameterHolder());
            fused =
                    new FusedEdges(
                            blocks,
                            channels,
                            true,
                            reduction ? 2 : 1,
                            this.candidates,
                            fusedParams::add);
            costEdges = new MixedOp[CellGraph.edgeIndex(blocks, 0)];
        } else {
            fusedParams = null;
            fused = null;
            costEdges = null;
        }
        inputs = new int[blocks][];
        ops = new Block[blocks][];
        for (int i = 0; i < blocks; i++) {
            int n = mixed ? i + 2 : cell.get(i).size();
            inputs[i] = new int[n];
            ops[i] = new Block[n];
            for (int k = 0; k < n; k++) {
                int j = mixed ? k : cell.get(i).get(k).input();
                int stride = reduction && j < 2 ? 2 : 1;
                inputs[i][k] = j;
                Block op =
                        mixed
                                ? new MixedOp(channels, stride, candidates, false)
                                : OpSpec.fromName(cell.get(i).get(k).op())
                                        .create(channels, stride, true);
                if (fusedCell) {
                    ops[i][k] = op;
                    costEdges[CellGraph.edgeIndex(i, j)] = (MixedOp) op;
                } else {
                    ops[i][k] = addChildBlock("b" + i + "_" + k + "_from" + j, op);
                }
            }
        }
    }

    /** Whether this is a mixed cell evaluated fused. */
    public boolean isFused() {
        return fused != null;
    }

    /**
     * The mixing matrices of a pass for fused cells of this kind ({@link FusedEdges#mixing}).
     *
     * @param alphaHat softmax(α) of this cell type, (edges, ops)
     */
    public NDArray[] mixing(NDArray alphaHat) {
        return FusedEdges.mixing(alphaHat, blocks, candidates, reduction ? 2 : 1);
    }

    /**
     * Copies the weights and running statistics of a plain mixed cell at the same position into
     * this fused one, so that both compute the same function.
     *
     * @param plain a plain mixed cell of the same shape, initialised
     */
    public void copyFrom(CasCell plain) {
        if (fused == null || !plain.mixed || plain.fused != null) {
            throw new IllegalArgumentException("copies a plain mixed cell into a fused one");
        }
        copyAll(plain.pre0, pre0);
        copyAll(plain.pre1, pre1);
        fused.copyFrom(
                e -> {
                    for (int i = 0; i < plain.blocks; i++) {
                        for (int k = 0; k < plain.ops[i].length; k++) {
                            if (CellGraph.edgeIndex(i, plain.inputs[i][k]) == e) {
                                return plain.ops[i][k];
                            }
                        }
                    }
                    return null;
                });
    }

    private static void copyAll(Block from, Block to) {
        PairList<String, Parameter> a = from.getParameters();
        PairList<String, Parameter> b = to.getParameters();
        if (a.size() != b.size()) {
            throw new IllegalStateException("blocks differ in parameters");
        }
        for (int i = 0; i < a.size(); i++) {
            a.valueAt(i).getArray().copyTo(b.valueAt(i).getArray());
        }
    }

    /** Whether the cell halves the resolution. */
    public boolean reduction() {
        return reduction;
    }

    /**
     * A fixed cell at this cell's position and size with the given edges (used to price ops).
     *
     * @param cell per block its edges
     */
    public CasCell fixedLike(List<List<CellEdge>> cell) {
        return new CasCell(
                cell, blocks, candidates, reduction, prevReduction, prevPrevChannels, channels);
    }

    /**
     * A fixed cell at this position in which every edge of the full DARTS graph is {@code op} (the
     * "cell built only from that op" of CAS, Sec. 3.3).
     */
    public CasCell allOf(OpSpec op) {
        List<List<CellEdge>> cell = new ArrayList<>();
        for (int i = 0; i < blocks; i++) {
            List<CellEdge> block = new ArrayList<>();
            for (int j = 0; j < i + 2; j++) {
                block.add(new CellEdge(j, op.opName()));
            }
            cell.add(block);
        }
        return fixedLike(cell);
    }

    /** A short description of the position: kind, C and input channels. */
    public String positionKey() {
        return (reduction ? "reduce" : "normal")
                + " c"
                + channels
                + " b"
                + blocks
                + (prevReduction ? " prevreduce cpp" + prevPrevChannels : "");
    }

    /** Output channels, B·C. */
    public int outChannels() {
        return blocks * channels;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        NDArray w = mixed ? in.get(2) : null;
        List<NDArray> states = new ArrayList<>();
        states.add(pre0.forward(ps, new NDList(in.get(0)), training).head());
        states.add(pre1.forward(ps, new NDList(in.get(1)), training).head());
        if (fused != null) {
            NDArray[] mixing = in.size() > 3 ? in.subNDList(3).toArray(new NDArray[0]) : mixing(w);
            return new NDList(
                    fused.evaluate(
                                    ps,
                                    states.get(0),
                                    new NDArray[] {states.get(1)},
                                    mixing,
                                    training)[0]);
        }
        NDList outs = new NDList();
        for (int i = 0; i < blocks; i++) {
            NDArray sum = null;
            for (int k = 0; k < ops[i].length; k++) {
                NDArray x = states.get(inputs[i][k]);
                NDArray y =
                        mixed
                                ? ((MixedOp) ops[i][k])
                                        .forward(
                                                ps,
                                                x,
                                                w.get(CellGraph.edgeIndex(i, inputs[i][k])),
                                                training)
                                : ops[i][k].forward(ps, new NDList(x), training).head();
                sum = sum == null ? y : sum.add(y);
            }
            states.add(sum);
            outs.add(sum);
        }
        return new NDList(NDArrays.concat(outs, 1));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        Shape s = in[1];
        long h = reduction ? (s.get(2) + 1) / 2 : s.get(2);
        long wd = reduction ? (s.get(3) + 1) / 2 : s.get(3);
        return new Shape[] {new Shape(s.get(0), outChannels(), h, wd)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
        pre0.initialize(manager, dataType, in[0]);
        pre1.initialize(manager, dataType, in[1]);
        if (fusedParams != null) {
            fusedParams.initialize(manager, dataType, in[1]);
            return;
        }
        Shape s = new Shape(in[1].get(0), channels, in[1].get(2), in[1].get(3));
        for (Block[] block : ops) {
            for (Block op : block) {
                op.initialize(manager, dataType, s);
            }
        }
    }

    @Override
    public Shape[] countCost(CostCounter counter, Shape[] in) {
        List<Shape> states = new ArrayList<>();
        states.add(counter.count(pre0, in[0])[0]);
        states.add(counter.count(pre1, in[1])[0]);
        for (int i = 0; i < blocks; i++) {
            Shape out = null;
            for (int k = 0; k < ops[i].length; k++) {
                Shape x = states.get(inputs[i][k]);
                Shape y;
                if (mixed) {
                    // every candidate runs, then a weighted sum
                    y = null;
                    for (Block b : ops[i][k].getChildren().values()) {
                        y = counter.count(b, x)[0];
                        counter.elementwise(y);
                    }
                } else {
                    y = counter.count(ops[i][k], x)[0];
                }
                if (out != null) {
                    counter.elementwise(y);
                }
                out = y;
            }
            states.add(out);
        }
        return getOutputShapes(in);
    }
}
