package org.dpnas.autodeeplab.retrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.autodeeplab.AutoDeepLabGenotype;
import org.dpnas.common.search.darts.CellEdge;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AutoDeepLabNetTest {

    /** Three blocks touching every op kind: pooling, skip, separable and dilated convolutions. */
    private static final List<List<CellEdge>> CELL =
            List.of(
                    List.of(new CellEdge(1, "sep_conv_3x3"), new CellEdge(0, "skip_connect")),
                    List.of(new CellEdge(1, "dil_conv_3x3"), new CellEdge(0, "max_pool_3x3")),
                    List.of(new CellEdge(3, "avg_pool_3x3"), new CellEdge(1, "dil_conv_5x5")));

    private static NDManager base;

    @BeforeAll
    static void open() {
        Engine.getInstance().setRandomSeed(11);
        base = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        base.close();
    }

    static AutoDeepLabGenotype genotype(int f, List<Integer> path) {
        return new AutoDeepLabGenotype(f, CELL.size(), path.size(), CELL, path);
    }

    private static AutoDeepLabNet build(
            NDManager m, AutoDeepLabGenotype g, AutoDeepLabNet.Settings s, Shape in) {
        AutoDeepLabNet net = new AutoDeepLabNet(g, s);
        net.initialize(m, DataType.FLOAT32, in);
        return net;
    }

    private static NDArray forward(AutoDeepLabNet net, NDArray x, boolean training) {
        return net.forward(new ParameterStore(base, false), new NDList(x), training).head();
    }

    /** A forward and backward pass in {@code sm} with a loss that depends on every class map. */
    private static NDArray step(AutoDeepLabNet net, NDManager sm, Shape in) {
        NDArray x = sm.randomNormal(in);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y = forward(net, x, true);
            NDArray w = sm.arange(1f, y.getShape().get(1) + 1f).reshape(1, -1, 1, 1);
            gc.backward(y.mul(w).square().mean());
            return y;
        }
    }

    @Test
    void tinyNetworkGivesLogitsAtTheInputSize() {
        AutoDeepLabGenotype g = genotype(4, List.of(0, 0, 1, 1));
        AutoDeepLabNet.Settings s = AutoDeepLabNet.Settings.of(g, 5).withWidths(8, 6);
        try (NDManager m = base.newSubManager()) {
            AutoDeepLabNet net = build(m, g, s, new Shape(2, 3, 32, 32));
            NDArray y = forward(net, m.randomNormal(new Shape(2, 3, 32, 32)), true);
            assertEquals(new Shape(2, 5, 32, 32), y.getShape());
            assertFalse(Float.isNaN(y.sum().getFloat()));
            NDArray z = forward(net, m.randomNormal(new Shape(1, 3, 32, 32)), false);
            assertEquals(new Shape(1, 5, 32, 32), z.getShape());
        }
    }

    /**
     * Every transition: H^{l−1} down (layers 0, 2, 3), same (1, 4), up (5, 6, 7); H^{l−2} two
     * levels down (layer 3: 3 vs 1) and two up (layer 6: 1 vs 3). The input size is not a multiple
     * of 32, so levels are 9×11 → 5×6 → 3×3 → 2×2 and the up-sampling targets are the odd sizes.
     */
    @Test
    void everyLevelTransitionAndOddSizesWork() {
        AutoDeepLabGenotype g = genotype(2, List.of(1, 1, 2, 3, 3, 2, 1, 0));
        AutoDeepLabNet.Settings s = AutoDeepLabNet.Settings.of(g, 3).withWidths(4, 4);
        assertEquals(-1, AutoDeepLabNet.lowLevelLayer(g));
        try (NDManager m = base.newSubManager()) {
            Shape in = new Shape(2, 3, 36, 44);
            AutoDeepLabNet net = build(m, g, s, in);
            NDArray y = forward(net, m.randomNormal(in), true);
            assertEquals(new Shape(2, 3, 36, 44), y.getShape());
            assertEquals(AutoDeepLabNet.weightCount(g, s), net.countWeights());
        }
    }

    /**
     * F = 2, B = 1, one layer at level 0, the block sums skip(H^{l−1}) and sep_conv_3x3(H^{l−2}); 2
     * classes, ASPP and decoder width 2, low-level width 2. Counted by hand:
     *
     * <pre>
     * stem: 3·9·1 + 2 | 1·9·1 + 2 | 1·9·2 + 4          = 29 + 11 + 22          =  62
     * cell: H^{-2} (1 ch, stride 2) 3×3 s2: 9·1·2 + 4  = 22
     *       H^{-1} (2 ch) 1×1: 2·2 + 4                 =  8
     *       sep_conv_3x3 on C=2: 2·(2·9 + 2·2 + 4)     = 52
     *       skip_connect                               =  0              → 82
     * ASPP on 2 ch, width 2: 1×1 2·2+4 = 8, 3×3 ×3: 3·(9·2·2+4) = 120,
     *       pooling 2·2+2 = 6, projection 10·2+4 = 24                       = 158
     * decoder: low 2·2+4 = 8, 9·4·2+4 = 76, 9·2·2+4 = 40, classifier 2·2+2 = 6 = 130
     * total                                                                 = 432
     * </pre>
     */
    @Test
    void parameterCountOfAHandCheckedNetwork() {
        List<List<CellEdge>> cell =
                List.of(List.of(new CellEdge(1, "skip_connect"), new CellEdge(0, "sep_conv_3x3")));
        AutoDeepLabGenotype g = new AutoDeepLabGenotype(2, 1, 1, cell, List.of(0));
        AutoDeepLabNet.Settings s = new AutoDeepLabNet.Settings(2, 2, 1, 2, 2);
        assertEquals(432, AutoDeepLabNet.weightCount(g, s));
        try (NDManager m = base.newSubManager()) {
            AutoDeepLabNet net = build(m, g, s, new Shape(2, 3, 16, 16));
            assertEquals(432, net.countWeights());
        }
    }

    /**
     * With B = 1 only the last block and what it reads are built: block 2 reads block 1 (input 3),
     * which reads only H^{l−1} and H^{l−2}, so block 0's ops (sep_conv_3x3 + skip) are dropped.
     */
    @Test
    void aSmallerBlockMultiplierDropsBlocksNobodyReads() {
        assertArrayEquals(new boolean[] {false, true, true}, FixedCell.live(CELL, 1));
        assertArrayEquals(new boolean[] {false, true, true}, FixedCell.live(CELL, 2));
        assertArrayEquals(new boolean[] {true, true, true}, FixedCell.live(CELL, 3));
        AutoDeepLabGenotype g = genotype(4, List.of(0, 1));
        AutoDeepLabNet.Settings three = AutoDeepLabNet.Settings.of(g, 2).withWidths(4, 4);
        AutoDeepLabNet.Settings one = three.withBlockMultiplier(1);
        long cellsThree = cellWeights(g, three);
        long cellsOne = cellWeights(g, one);
        // block 0's ops, sep_conv_3x3 + skip, at C = 4 (layer 0) and C = 8 (layer 1):
        // 2·(9C + C² + 2C) each = 120 + 304
        long ops = 424;
        // preprocessing reads B-dependent widths: stem ⌊F/2⌋·B = 6 → 2 and F·B = 12 → 4, layer 0
        // output B·4 = 12 → 4. Layer 0: 3×3 s2 from the stem's half (9·C_in·4) and 1×1 from its
        // output (C_in·4); layer 1 (level 1, C = 8): 3×3 s2 from the stem output and from layer 0
        long layer0 = 9 * (6 - 2) * 4 + (12 - 4) * 4;
        long layer1 = 9 * (12 - 4) * 8 + 9 * (12 - 4) * 8;
        assertEquals(1752, ops + layer0 + layer1);
        assertEquals(cellsThree - 1752, cellsOne);
        try (NDManager m = base.newSubManager()) {
            AutoDeepLabNet net = build(m, g, one, new Shape(2, 3, 32, 32));
            assertEquals(AutoDeepLabNet.weightCount(g, one), net.countWeights());
            NDArray y = forward(net, m.randomNormal(new Shape(2, 3, 32, 32)), true);
            assertEquals(new Shape(2, 2, 32, 32), y.getShape());
        }
    }

    private static long cellWeights(AutoDeepLabGenotype g, AutoDeepLabNet.Settings s) {
        long n = 0;
        for (int l = 0; l < g.layers(); l++) {
            int lev = AutoDeepLabNet.level(g, l);
            n +=
                    FixedCell.weightCount(
                            g.cell(),
                            s.blockMultiplier(),
                            s.filterMultiplier() << lev,
                            AutoDeepLabNet.channels(g, s, l - 2),
                            lev - AutoDeepLabNet.level(g, l - 2),
                            AutoDeepLabNet.channels(g, s, l - 1),
                            lev - AutoDeepLabNet.level(g, l - 1));
        }
        return n;
    }

    /** The paper's path with the golden cell at F = 20, B = 5, 19 classes (Auto-DeepLab-S size). */
    @Test
    void paperSizedNetworkCountMatchesTheBuiltOne() throws Exception {
        AutoDeepLabGenotype g;
        try (InputStream in = getClass().getResourceAsStream("/golden/genotype.json")) {
            g = AutoDeepLabGenotype.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertEquals(AutoDeepLabGenotype.PAPER_PATH, g.networkPath());
        AutoDeepLabNet.Settings s = AutoDeepLabNet.Settings.of(g, 19).withFilterMultiplier(20);
        assertEquals(2, AutoDeepLabNet.lowLevelLayer(g));
        assertArrayEquals(new int[] {12, 24, 36}, AutoDeepLabNet.asppRates(1));
        assertArrayEquals(new int[] {6, 12, 18}, AutoDeepLabNet.asppRates(2));
        long expected = AutoDeepLabNet.weightCount(g, s);
        try (NDManager m = base.newSubManager()) {
            AutoDeepLabNet net = build(m, g, s, new Shape(1, 3, 64, 64));
            assertEquals(expected, net.countWeights());
        }
        assertEquals(PAPER_S_GOLDEN_CELL, expected);
    }

    /** Measured once with this implementation and kept: the count must not drift silently. */
    private static final long PAPER_S_GOLDEN_CELL = 6_945_429;

    /**
     * The cell of the paper's Fig. 3 (as the reference port's default retraining cell encodes it)
     * on the paper's path at F = 20, B = 5, 19 classes: Auto-DeepLab-S. The paper reports 10.15M.
     */
    @Test
    void autoDeepLabSCount() {
        List<List<CellEdge>> cell =
                List.of(
                        List.of(new CellEdge(0, "dil_conv_5x5"), new CellEdge(1, "sep_conv_3x3")),
                        List.of(new CellEdge(0, "sep_conv_3x3"), new CellEdge(1, "dil_conv_3x3")),
                        List.of(new CellEdge(0, "sep_conv_3x3"), new CellEdge(3, "sep_conv_3x3")),
                        List.of(new CellEdge(2, "sep_conv_5x5"), new CellEdge(4, "sep_conv_5x5")),
                        List.of(new CellEdge(5, "dil_conv_5x5"), new CellEdge(4, "sep_conv_5x5")));
        AutoDeepLabGenotype g =
                new AutoDeepLabGenotype(20, 5, 12, cell, AutoDeepLabGenotype.PAPER_PATH);
        long n = AutoDeepLabNet.weightCount(g, AutoDeepLabNet.Settings.of(g, 19));
        assertEquals(7_627_529, n);
        // the paper's settings differ only in the stem (64/64/128 instead of 50/50/100) and in
        // what reads it; dropout and ASPP rates carry no weights. By hand: stem 112,832 instead of
        // 69,250; layer 0 reads H^-2 (64 instead of 50 channels) through a 3x3 stride-2 conv to 20
        // (+9·14·20 = 2,520) and H^-1 (128 instead of 100) through a 1x1 (+28·20 = 560); layer 1
        // reads the stem output as H^-2 through a 1x1 (+560).
        AutoDeepLabNet.Settings paperS = AutoDeepLabNet.Settings.paper("S", g, 19);
        assertEquals(20, paperS.filterMultiplier());
        long s = AutoDeepLabNet.weightCount(g, paperS);
        assertEquals(7_627_529 - 69_250 + 112_832 + 2_520 + 560 + 560, s);
        assertEquals(7_674_751, s);
        assertEquals(32, AutoDeepLabNet.Settings.paper("M", g, 19).filterMultiplier());
        assertEquals(48, AutoDeepLabNet.Settings.paper("L", g, 19).filterMultiplier());
        assertThrows(
                IllegalArgumentException.class, () -> AutoDeepLabNet.Settings.paper("XL", g, 19));
        for (String p : new String[] {"S", "M", "L"}) {
            System.out.printf(
                    "Auto-DeepLab-%s paper path, Fig. 3 cell: %,d weights%n",
                    p, AutoDeepLabNet.weightCount(g, AutoDeepLabNet.Settings.paper(p, g, 19)));
        }
    }

    /** The paper's settings build, run with dropout in training, and hold the analytic count. */
    @Test
    void paperSettingsBuildAndCountAsAnalysed() {
        AutoDeepLabGenotype g = genotype(4, List.of(0, 1, 2, 1));
        AutoDeepLabNet.Settings s =
                AutoDeepLabNet.Settings.paper("S", g, 3).withFilterMultiplier(4).withWidths(8, 4);
        try (NDManager m = NDManager.newBaseManager()) {
            AutoDeepLabNet net = new AutoDeepLabNet(g, s);
            net.initialize(m, DataType.FLOAT32, new Shape(2, 3, 36, 44));
            assertEquals(AutoDeepLabNet.weightCount(g, s), net.countWeights());
            NDArray x = m.randomNormal(new Shape(2, 3, 36, 44));
            NDArray y = net.forward(new ParameterStore(m, false), new NDList(x), true).head();
            assertEquals(new Shape(2, 3, 36, 44), y.getShape());
        }
    }

    @Test
    void everyTrainableParameterGetsAGradient() {
        AutoDeepLabGenotype g = genotype(4, List.of(0, 1, 2, 1));
        AutoDeepLabNet.Settings s = AutoDeepLabNet.Settings.of(g, 4).withWidths(8, 4);
        Shape in = new Shape(2, 3, 32, 32);
        try (NDManager m = base.newSubManager()) {
            AutoDeepLabNet net = build(m, g, s, in);
            try (NDManager sm = m.newSubManager()) {
                step(net, sm, in);
                List<String> without = new ArrayList<>();
                int trainable = 0;
                for (Pair<String, Parameter> p : net.getParameters()) {
                    if (!p.getValue().requiresGradient()) {
                        continue;
                    }
                    trainable++;
                    NDArray grad = p.getValue().getArray().getGradient();
                    grad.attach(sm);
                    if (!(grad.abs().sum().getFloat() > 0f)) {
                        without.add(p.getKey());
                    }
                }
                assertTrue(trainable > 50, "only " + trainable + " trainable parameters");
                assertEquals(List.of(), without);
            }
        }
    }

    /** After a warm-up step, a forward+backward step adds no array to the model's manager. */
    @Test
    void aStepLeavesNothingInTheModelManager() {
        AutoDeepLabGenotype g = genotype(4, List.of(0, 0, 1, 1));
        AutoDeepLabNet.Settings s = AutoDeepLabNet.Settings.of(g, 3).withWidths(8, 4);
        Shape in = new Shape(2, 3, 32, 32);
        try (NDManager m = base.newSubManager()) {
            AutoDeepLabNet net = build(m, g, s, in);
            try (NDManager sm = m.newSubManager()) {
                step(net, sm, in);
            }
            int before = m.getManagedArrays().size();
            try (NDManager sm = m.newSubManager()) {
                step(net, sm, in);
                assertTrue(sm.getManagedArrays().size() > 50);
            }
            assertEquals(before, m.getManagedArrays().size());
        }
    }

    @Test
    void rejectsBadInputAndSettings() {
        AutoDeepLabGenotype g = genotype(4, List.of(0, 1));
        AutoDeepLabNet.Settings s = AutoDeepLabNet.Settings.of(g, 3).withWidths(4, 4);
        IllegalArgumentException b =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new AutoDeepLabNet(g, s.withBlockMultiplier(4)));
        assertTrue(b.getMessage().contains("block multiplier 4"), b.getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.withFilterMultiplier(1));
        assertThrows(IllegalArgumentException.class, () -> s.withBlockMultiplier(0));
        try (NDManager m = base.newSubManager()) {
            AutoDeepLabNet net = build(m, g, s, new Shape(2, 3, 32, 32));
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> forward(net, m.zeros(new Shape(2, 1, 32, 32)), false));
            assertTrue(e.getMessage().contains("(2, 1, 32, 32)"), e.getMessage());
        }
    }
}
