package org.dpnas.fastdensenas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.dpnas.common.cost.CostCounter;
import org.dpnas.common.cost.CostReport;
import org.dpnas.common.cost.OpType;
import org.junit.jupiter.api.Test;

/**
 * The decoder's contextual cells run together (grouped ops on stacked inputs) compute what they
 * compute one by one: outputs, every weight's gradient and the BatchNorm statistics, in float64,
 * for the golden genotype and for sampled ones (which bring {@code none}, pooling and separable
 * ops), with the same weights laid out both ways.
 *
 * <p>Tolerance: float64 rounding of one op's sum of at most a few thousand products is below {@code
 * 1e4 · 2.2e-16 ≈ 2e-12} of its magnitude, and the network chains a few dozen ops, so the two
 * layouts (whose kernels add in different orders) agree to about {@code 1e-10}; {@code 1e-8}
 * relative leaves room, while a member reading another member's channels or weights is off by order
 * one.
 */
class DecoderGroupingTest {

    private static final int[] CHANNELS = {16, 24, 32, 64};
    private static final int[] SIZES = {16, 8, 4, 2};
    private static final int AGG = 6;
    private static final int CLASSES = 5;

    static List<DecoderGenotype> genotypes() throws Exception {
        List<DecoderGenotype> gs = new ArrayList<>();
        gs.add(DecoderGenotype.fromJson(DecoderSpaceTest.golden()));
        for (int seed = 0; seed < 6; seed++) {
            gs.add(DecoderSpace.paper().sample(new Random(seed)));
        }
        return gs;
    }

    @Test
    void groupedCellsComputeWhatSeparateCellsCompute() throws Exception {
        for (DecoderGenotype g : genotypes()) {
            for (DecoderNet.Aux aux : DecoderNet.Aux.values()) {
                compare(g, aux);
            }
        }
    }

    @Test
    void cellsOfOneDepthAndSizeShareABlock() throws Exception {
        // golden connections: node 4 = (3, 2), node 5 = (4, 0), node 6 = (5, 1). Depth 0: the
        // cells on encoder outputs 3, 2, 0 and 1 (four sizes: four blocks); depth 1: the cell on
        // node 4; depth 2: the cell on node 5; the three auxiliary cells on nodes 4 (at the size
        // of output 2), 5 and 6 (the size of output 0): two blocks. 8 blocks for 9 cells.
        DecoderGenotype g = DecoderGenotype.fromJson(DecoderSpaceTest.golden());
        DecoderNet grouped = new DecoderNet(g, CHANNELS, AGG, CLASSES, DecoderNet.Aux.CELLS);
        DecoderNet single = new DecoderNet(g, CHANNELS, AGG, CLASSES, DecoderNet.Aux.CELLS, false);
        assertEquals(9, single.cellBlocks());
        assertEquals(8, grouped.cellBlocks());
        assertEquals(grouped.cellOf(1, 2).getKey(), grouped.cellOf(2, 2).getKey());
        assertEquals(0, grouped.cellOf(1, 2).getValue());
        assertEquals(1, grouped.cellOf(2, 2).getValue());
        // a decoder whose three cells all read one node at one depth runs them as one block
        CellLayer l = new CellLayer(0, 1, DecoderOp.SEP3X3, DecoderOp.CONV3X3);
        DecoderGenotype fan =
                new DecoderGenotype(
                        4,
                        DecoderOp.GAP,
                        List.of(l, l, l),
                        List.of(new int[] {2, 2}, new int[] {2, 2}, new int[] {2, 2}));
        DecoderNet f = new DecoderNet(fan, CHANNELS, AGG, CLASSES, DecoderNet.Aux.NONE);
        assertEquals(1, f.cellBlocks());
        compare(fan, DecoderNet.Aux.CELLS);
    }

    @Test
    void groupingLeavesParamsAndMultiplyAddsAsTheyWere() throws Exception {
        for (DecoderGenotype g : genotypes()) {
            Shape[] in = inputShapes(1);
            DecoderNet a = new DecoderNet(g, CHANNELS, AGG, CLASSES, DecoderNet.Aux.NONE);
            DecoderNet b = new DecoderNet(g, CHANNELS, AGG, CLASSES, DecoderNet.Aux.NONE, false);
            CostReport ra = CostCounter.of(a, in);
            CostReport rb = CostCounter.of(b, in);
            assertEquals(rb.params(), ra.params(), g.toJson());
            assertEquals(rb.macs(OpType.CONV), ra.macs(OpType.CONV), g.toJson());
            assertEquals(rb.macs(), ra.macs(), g.toJson());
            assertEquals(rb.macsByOp(), ra.macsByOp(), g.toJson());
        }
    }

    @Test
    void stackedInputsOfTwoSizesAreRefused() {
        // encoder outputs given coarsest first, against the contract: node 2 = (0, 1) takes the
        // size of output 1, node 3 = (0, 0) that of output 0, and the decoder, taking output 0 for
        // the finest, runs the auxiliary cells on nodes 2 and 3 together
        CellLayer l = new CellLayer(0, 1, DecoderOp.SKIP, DecoderOp.SKIP);
        DecoderGenotype g =
                new DecoderGenotype(
                        2,
                        DecoderOp.SKIP,
                        List.of(l, l, l),
                        List.of(new int[] {0, 1}, new int[] {0, 0}));
        DecoderNet net = new DecoderNet(g, new int[] {4, 4}, 3, 2, DecoderNet.Aux.CELLS);
        assertEquals(net.cellOf(0, 2).getKey(), net.cellOf(1, 2).getKey());
        try (NDManager m = NDManager.newBaseManager()) {
            Shape small = new Shape(1, 4, 4, 4);
            Shape big = new Shape(1, 4, 8, 8);
            net.initialize(m, DataType.FLOAT32, small, big);
            NDList x = new NDList(m.ones(small), m.ones(big));
            var e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> net.forward(new ParameterStore(m, false), x, true));
            assertTrue(e.getMessage().contains("finest first"), e.getMessage());
        }
    }

    private static Shape[] inputShapes(int batch) {
        Shape[] s = new Shape[CHANNELS.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = new Shape(batch, CHANNELS[i], SIZES[i], SIZES[i]);
        }
        return s;
    }

    private static void compare(DecoderGenotype g, DecoderNet.Aux aux) {
        String what = aux + " " + g.toJson();
        DecoderNet grouped = new DecoderNet(g, CHANNELS, AGG, CLASSES, aux);
        DecoderNet single = new DecoderNet(g, CHANNELS, AGG, CLASSES, aux, false);
        try (NDManager m = NDManager.newBaseManager()) {
            org.dpnas.common.train.Seeds.seedEngine(7);
            Shape[] shapes = inputShapes(2);
            grouped.initialize(m, DataType.FLOAT64, shapes);
            single.initialize(m, DataType.FLOAT64, shapes);
            Map<String, NDArray> gp = params(grouped);
            Map<String, NDArray> sp = params(single);
            assertEquals(sp.values().stream().mapToLong(NDArray::size).sum(), total(gp), what);
            // the grouped weights are the single cells' weights stacked along the first axis
            Map<String, List<String>> stackOf = stacking(g, aux, grouped, single, sp.keySet());
            for (Map.Entry<String, NDArray> e : gp.entrySet()) {
                List<String> parts = stackOf.get(e.getKey());
                NDList pieces = new NDList();
                for (String p : parts) {
                    pieces.add(sp.get(p));
                }
                NDArray v = pieces.size() == 1 ? pieces.get(0) : NDArrays.concat(pieces, 0);
                assertEquals(e.getValue().getShape(), v.getShape(), e.getKey());
                e.getValue().set(v.toDoubleArray());
            }
            NDList in = new NDList();
            for (Shape s : shapes) {
                in.add(m.randomNormal(s).toType(DataType.FLOAT64, false));
            }
            NDList outG = forwardBackward(grouped, in, m);
            NDList outS = forwardBackward(single, in, m);
            assertEquals(outS.size(), outG.size(), what);
            for (int i = 0; i < outG.size(); i++) {
                close(outS.get(i), outG.get(i), what + " output " + i);
            }
            for (Map.Entry<String, NDArray> e : gp.entrySet()) {
                NDList want = new NDList();
                for (String p : stackOf.get(e.getKey())) {
                    NDArray a = sp.get(p);
                    want.add(a.hasGradient() ? a.getGradient() : a);
                }
                NDArray w = want.size() == 1 ? want.get(0) : NDArrays.concat(want, 0);
                NDArray got = e.getValue();
                // gradients of weights; running statistics (no gradient) after the forward pass
                close(w, got.hasGradient() ? got.getGradient() : got, what + " " + e.getKey());
            }
            NDList evalG = grouped.forward(new ParameterStore(m, false), in, false);
            NDList evalS = single.forward(new ParameterStore(m, false), in, false);
            assertEquals(1, evalG.size());
            close(evalS.get(0), evalG.get(0), what + " inference");
        }
    }

    private static NDList forwardBackward(DecoderNet net, NDList in, NDManager m) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDList out = net.forward(new ParameterStore(m, false), in, true);
            // a loss that weighs every output element differently
            NDArray loss = null;
            for (int i = 0; i < out.size(); i++) {
                NDArray o = out.get(i);
                NDArray w = m.arange(0, (int) o.size(), 1, DataType.FLOAT64).reshape(o.getShape());
                NDArray t = o.mul(w.mul(0.01).sin()).sum();
                loss = loss == null ? t : loss.add(t);
            }
            gc.backward(loss);
            return out;
        }
    }

    /**
     * For each parameter of the grouped decoder, the single decoder's parameters stacked into it:
     * the weights of a group's cells and followers ({@code cellsG}, {@code aggG}, {@code aux_clfG})
     * from its members' groups, every other weight from the same name.
     */
    private static Map<String, List<String>> stacking(
            DecoderGenotype g,
            DecoderNet.Aux aux,
            DecoderNet grouped,
            DecoderNet single,
            java.util.Set<String> singleNames) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        int roles = aux == DecoderNet.Aux.CELLS ? 3 : 2;
        // grouped group -> (member index -> the single decoder's group of that member)
        Map<Integer, Map<Integer, Integer>> members = new LinkedHashMap<>();
        for (int c = 0; c < g.connections().size(); c++) {
            for (int r = 0; r < roles; r++) {
                var at = grouped.cellOf(c, r);
                members.computeIfAbsent(at.getKey(), k -> new java.util.TreeMap<>())
                        .put(at.getValue(), single.cellOf(c, r).getKey());
            }
        }
        // DJL names a parameter by its blocks, each prefixed with its position: "05cells3_..."
        Map<String, String> singleByName = new LinkedHashMap<>();
        for (String n : singleNames) {
            singleByName.put(unnumbered(n), n);
        }
        java.util.regex.Pattern grouping =
                java.util.regex.Pattern.compile("^(cells|agg|aux_clf)([0-9]+)(_.*)$");
        for (String name : params(grouped).keySet()) {
            String plain = unnumbered(name);
            java.util.regex.Matcher mt = grouping.matcher(plain);
            List<String> parts = new ArrayList<>();
            if (mt.matches()) {
                for (int sg : members.get(Integer.parseInt(mt.group(2))).values()) {
                    parts.add(singleByName.get(mt.group(1) + sg + mt.group(3)));
                }
            } else {
                parts.add(singleByName.get(plain));
            }
            assertTrue(!parts.contains(null), name + " has no counterpart");
            out.put(name, parts);
        }
        return out;
    }

    private static String unnumbered(String name) {
        return name.replaceFirst("^[0-9]+", "");
    }

    private static Map<String, NDArray> params(DecoderNet net) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : net.getParameters()) {
            out.put(p.getKey(), p.getValue().getArray());
        }
        return out;
    }

    private static long total(Map<String, NDArray> m) {
        return m.values().stream().mapToLong(NDArray::size).sum();
    }

    private static void close(NDArray want, NDArray got, String what) {
        assertEquals(want.getShape(), got.getShape(), what);
        // an unused weight's gradient is DJL's float32 zeros
        want = want.toType(DataType.FLOAT64, false);
        got = got.toType(DataType.FLOAT64, false);
        double scale = 1 + want.abs().max().getDouble();
        double diff = want.sub(got).abs().max().getDouble();
        assertTrue(diff <= 1e-8 * scale, what + ": differs by " + diff + " (scale " + scale + ")");
    }
}
