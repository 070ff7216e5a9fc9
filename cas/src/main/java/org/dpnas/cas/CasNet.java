package org.dpnas.cas;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.common.cost.CostAware;
import org.dpnas.common.cost.CostCounter;
import org.dpnas.common.nn.ConvBnAct;
import org.dpnas.common.nn.Resize;
import org.dpnas.common.search.Supernet;
import org.dpnas.common.search.darts.CellGraph;
import org.dpnas.common.search.darts.FusedEdges;

/**
 * The CAS network (Zhang et al., CVPR 2019, Sec. 3.1): a 3×3 stride-2 stem, {@code layers} stacked
 * normal and reduction cells ({@link CasCell}; all cells of one type share a genotype, each has its
 * own weights), the multi-scale cell ({@link MultiScaleCell}) and a light decoder (a 1×1
 * classifier, then bilinear up-sampling to the input size). An image whose sides are not multiples
 * of the output stride is first resized (bilinear) to the next multiples, so that every reduction
 * halves exactly.
 *
 * <p>As a {@linkplain #supernet supernet} it holds three architecture parameters — α_normal and
 * α_reduce (edges × ops) and α_ms (one per candidate rate) — apart from its weights; as a
 * {@linkplain #fixed fixed} network it is the retrain network of a genotype and has none.
 */
public final class CasNet extends AbstractBlock implements Supernet<CasGenotype>, CostAware {

    private final CasSizes sizes;
    private final CasGenotype genotype;
    private final Block stem;
    private final List<CasCell> cells = new ArrayList<>();
    private final MultiScaleCell ms;
    private final Block classifier;
    private final Parameter alphaNormal;
    private final Parameter alphaReduce;
    private final Parameter alphaMs;

    private CasNet(CasSizes sizes, CasGenotype genotype) {
        this(sizes, genotype, false);
    }

    private CasNet(CasSizes sizes, CasGenotype genotype, boolean fuse) {
        this.sizes = sizes;
        this.genotype = genotype;
        boolean mixed = genotype == null;
        int c = sizes.channels();
        stem = addChildBlock("stem", new ConvBnAct(c, 3, 2, 1, 1, false));
        int cpp = c;
        int cp = c;
        int cur = c;
        boolean prevRed = false;
        for (int l = 0; l < sizes.layers(); l++) {
            boolean red = sizes.isReduction(l);
            if (red) {
                cur *= 2;
            }
            CasCell cell =
                    new CasCell(
                            mixed ? null : red ? genotype.reduce() : genotype.normal(),
                            sizes.blocks(),
                            sizes.ops(),
                            red,
                            prevRed,
                            cpp,
                            cur,
                            fuse);
            cells.add(addChildBlock("cell" + l, cell));
            cpp = cp;
            cp = cell.outChannels();
            prevRed = red;
        }
        ms =
                addChildBlock(
                        "multiscale",
                        new MultiScaleCell(
                                mixed ? sizes.msRates() : genotype.multiscale(),
                                sizes.msChannels(),
                                mixed));
        classifier =
                addChildBlock(
                        "classifier",
                        Conv2d.builder()
                                .setKernelShape(new Shape(1, 1))
                                .setFilters(sizes.numClasses())
                                .build());
        if (mixed) {
            alphaNormal = alpha("alpha_normal", new Shape(sizes.edges(), sizes.ops().size()));
            alphaReduce = alpha("alpha_reduce", new Shape(sizes.edges(), sizes.ops().size()));
            alphaMs = alpha("alpha_ms", new Shape(sizes.msRates().size()));
        } else {
            alphaNormal = null;
            alphaReduce = null;
            alphaMs = null;
        }
    }

    private Parameter alpha(String name, Shape shape) {
        return addParameter(
                Parameter.builder()
                        .setName(name)
                        .setType(Parameter.Type.OTHER)
                        .optShape(shape)
                        .optInitializer(new NormalInitializer(1e-3f))
                        .build());
    }

    /**
     * The supernet over every candidate op and rate, its cells evaluated fused ({@link
     * org.dpnas.common.search.darts.FusedEdges}) when the op table allows it, plain otherwise.
     */
    public static CasNet supernet(CasSizes sizes) {
        return supernet(sizes, FusedEdges.supports(sizes.ops()));
    }

    /**
     * The supernet with a chosen cell evaluation (the same function and weight count either way).
     *
     * @param sizes the sizes
     * @param fused whether the cells evaluate their edges fused (needs the DARTS op table)
     */
    public static CasNet supernet(CasSizes sizes, boolean fused) {
        if (fused) {
            FusedEdges.requireOps(sizes.ops());
        }
        return new CasNet(sizes, null, fused);
    }

    /** Whether the supernet's cells evaluate their edges fused. */
    public boolean isFused() {
        return !cells.isEmpty() && cells.get(0).isFused();
    }

    /**
     * Copies every parameter and running statistic of a plain supernet of the same sizes into this
     * fused one, so that both compute the same function.
     *
     * @param plain an initialised plain supernet
     */
    public void copyFrom(CasNet plain) {
        if (!isFused() || plain.isFused() || !plain.isSupernet()) {
            throw new IllegalArgumentException("copies a plain supernet into a fused one");
        }
        copyAll(plain.stem, stem);
        copyAll(plain.ms, ms);
        copyAll(plain.classifier, classifier);
        for (int i = 0; i < 3; i++) {
            plain.archParameters().get(i).getArray().copyTo(archParameters().get(i).getArray());
        }
        for (int l = 0; l < cells.size(); l++) {
            cells.get(l).copyFrom(plain.cells.get(l));
        }
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

    /**
     * The retrain network of a genotype.
     *
     * @param genotype the architecture
     * @param numClasses output classes
     * @param channels C, or 0 for the genotype's
     */
    public static CasNet fixed(CasGenotype genotype, int numClasses, int channels) {
        CasSizes s =
                new CasSizes(
                        numClasses,
                        channels > 0 ? channels : genotype.channels(),
                        genotype.layers(),
                        genotype.blocks(),
                        genotype.msChannels(),
                        genotype.multiscale(),
                        CasSpace.OPS);
        return new CasNet(s, genotype);
    }

    /** The sizes. */
    public CasSizes sizes() {
        return sizes;
    }

    /** Whether this is the supernet. */
    public boolean isSupernet() {
        return genotype == null;
    }

    /** The cells, in order. */
    public List<CasCell> cells() {
        return cells;
    }

    /** The multi-scale cell. */
    public MultiScaleCell multiScale() {
        return ms;
    }

    /** α over the normal cell's edges (supernet only). */
    public Parameter alphaNormal() {
        return alphaNormal;
    }

    /** α over the reduction cell's edges (supernet only). */
    public Parameter alphaReduce() {
        return alphaReduce;
    }

    /** α over the multi-scale cell's branches (supernet only). */
    public Parameter alphaMs() {
        return alphaMs;
    }

    /** The network's output stride: 2 for the stem times 2 per reduction cell. */
    public int outputStride() {
        int s = 2;
        for (int l = 0; l < sizes.layers(); l++) {
            if (sizes.isReduction(l)) {
                s *= 2;
            }
        }
        return s;
    }

    /**
     * The size an image side is resized to before the stem: the next multiple of the output stride,
     * so that every reduction halves exactly and the two inputs of a cell agree.
     */
    public long workingSize(long side) {
        long s = outputStride();
        return (side + s - 1) / s * s;
    }

    /** The input shape of every cell and of the multi-scale cell for an image of size h × w. */
    public List<Shape[]> cellInputShapes(long batch, long h, long w) {
        List<Shape[]> out = new ArrayList<>();
        Shape s =
                stem.getOutputShapes(
                                new Shape[] {new Shape(batch, 3, workingSize(h), workingSize(w))})[
                        0];
        Shape s0 = s;
        Shape s1 = s;
        for (CasCell cell : cells) {
            out.add(new Shape[] {s0, s1});
            Shape y = cell.getOutputShapes(new Shape[] {s0, s1})[0];
            s0 = s1;
            s1 = y;
        }
        out.add(new Shape[] {s1});
        return out;
    }

    @Override
    public List<Parameter> archParameters() {
        return isSupernet() ? List.of(alphaNormal, alphaReduce, alphaMs) : List.of();
    }

    @Override
    public List<Parameter> weightParameters() {
        List<Parameter> out = new ArrayList<>();
        List<Parameter> arch = archParameters();
        for (Pair<String, Parameter> p : getParameters()) {
            if (!arch.contains(p.getValue()) && p.getValue().requiresGradient()) {
                out.add(p.getValue());
            }
        }
        return out;
    }

    @Override
    public CasGenotype derive() {
        if (!isSupernet()) {
            return genotype;
        }
        CellGraph graph = new CellGraph(sizes.blocks());
        float[][] an = matrix(alphaNormal);
        float[][] ar = matrix(alphaReduce);
        float[] am = alphaMs.getArray().toFloatArray();
        return new CasGenotype(
                graph.derive(an, sizes.ops(), 2),
                graph.derive(ar, sizes.ops(), 2),
                CasSpace.topRates(am, sizes.msRates(), CasSpace.MS_KEEP),
                sizes.channels(),
                sizes.layers(),
                sizes.msChannels());
    }

    private static float[][] matrix(Parameter p) {
        NDArray a = p.getArray();
        int rows = (int) a.getShape().get(0);
        int cols = (int) a.getShape().get(1);
        float[] flat = a.toFloatArray();
        float[][] m = new float[rows][cols];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(flat, r * cols, m[r], 0, cols);
        }
        return m;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        NDManager sm = x.getManager();
        Device device = x.getDevice();
        NDArray wn = null;
        NDArray wr = null;
        NDArray wm = null;
        if (isSupernet()) {
            wn = ps.getValue(alphaNormal, device, training).softmax(1);
            wn.attach(sm);
            wr = ps.getValue(alphaReduce, device, training).softmax(1);
            wr.attach(sm);
            wm = ps.getValue(alphaMs, device, training).softmax(0);
            wm.attach(sm);
        }
        long[] shape = x.getShape().getShape();
        NDArray image = Resize.bilinear(x, workingSize(shape[2]), workingSize(shape[3]));
        NDArray h = stem.forward(ps, new NDList(image), training).head();
        NDArray s0 = h;
        NDArray s1 = h;
        // fused cells of one type share the mixing matrices, built once per pass
        NDArray[][] mixing = new NDArray[2][];
        for (CasCell cell : cells) {
            NDList in =
                    isSupernet()
                            ? new NDList(s0, s1, cell.reduction() ? wr : wn)
                            : new NDList(s0, s1);
            if (cell.isFused()) {
                int kind = cell.reduction() ? 1 : 0;
                if (mixing[kind] == null) {
                    mixing[kind] = cell.mixing(cell.reduction() ? wr : wn);
                }
                in.addAll(java.util.Arrays.asList(mixing[kind]));
            }
            NDArray y = cell.forward(ps, in, training).head();
            s0 = s1;
            s1 = y;
        }
        NDArray f =
                ms.forward(ps, isSupernet() ? new NDList(s1, wm) : new NDList(s1), training).head();
        NDArray logits = classifier.forward(ps, new NDList(f), training).head();
        return new NDList(Resize.bilinear(logits, shape[2], shape[3]));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        Shape s = in[0];
        return new Shape[] {new Shape(s.get(0), sizes.numClasses(), s.get(2), s.get(3))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
        Shape s = in[0];
        stem.initialize(
                manager,
                dataType,
                new Shape(s.get(0), 3, workingSize(s.get(2)), workingSize(s.get(3))));
        List<Shape[]> shapes = cellInputShapes(s.get(0), s.get(2), s.get(3));
        for (int l = 0; l < cells.size(); l++) {
            Shape[] cs = shapes.get(l);
            if (isSupernet()) {
                cells.get(l)
                        .initialize(
                                manager,
                                dataType,
                                cs[0],
                                cs[1],
                                new Shape(sizes.edges(), sizes.ops().size()));
            } else {
                cells.get(l).initialize(manager, dataType, cs);
            }
        }
        Shape last = shapes.get(shapes.size() - 1)[0];
        if (isSupernet()) {
            ms.initialize(manager, dataType, last, new Shape(sizes.msRates().size()));
        } else {
            ms.initialize(manager, dataType, last);
        }
        classifier.initialize(
                manager,
                dataType,
                new Shape(last.get(0), sizes.msChannels(), last.get(2), last.get(3)));
    }

    @Override
    public Shape[] countCost(CostCounter counter, Shape[] in) {
        Shape image = in[0];
        Shape working =
                new Shape(image.get(0), 3, workingSize(image.get(2)), workingSize(image.get(3)));
        if (!working.equals(image)) {
            counter.bilinear(image, working);
        }
        Shape s = counter.count(stem, working)[0];
        Shape s0 = s;
        Shape s1 = s;
        for (CasCell cell : cells) {
            Shape y = counter.count(cell, s0, s1)[0];
            s0 = s1;
            s1 = y;
        }
        Shape f = counter.count(ms, s1)[0];
        Shape logits = counter.count(classifier, f)[0];
        Shape out = getOutputShapes(in)[0];
        counter.bilinear(logits, out);
        return new Shape[] {out};
    }
}
