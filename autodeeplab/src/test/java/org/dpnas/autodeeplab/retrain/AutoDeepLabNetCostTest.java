package org.dpnas.autodeeplab.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.dpnas.autodeeplab.AutoDeepLabGenotype;
import org.dpnas.common.cost.CostCounter;
import org.dpnas.common.cost.CostReport;
import org.dpnas.common.cost.OpType;
import org.dpnas.common.search.darts.CellEdge;
import org.junit.jupiter.api.Test;

class AutoDeepLabNetCostTest {

    /** One block: skip_connect(H^{l−1}) + sep_conv_3x3(H^{l−2}). */
    private static final List<List<CellEdge>> ONE_BLOCK =
            List.of(List.of(new CellEdge(1, "skip_connect"), new CellEdge(0, "sep_conv_3x3")));

    /** F = 2, B = 1, path [0, 1, 0]; 2 classes, ASPP/decoder width 2, low-level width 2. */
    private static AutoDeepLabNet tiny() {
        AutoDeepLabGenotype g = new AutoDeepLabGenotype(2, 1, 3, ONE_BLOCK, List.of(0, 1, 0));
        return new AutoDeepLabNet(g, new AutoDeepLabNet.Settings(2, 2, 1, 2, 2));
    }

    /**
     * The tiny network at 1×3×16×16, counted op by op (conv / BN / element-wise, "el" = elements).
     * Stem widths ⌊F/2⌋·B = 1 and F·B = 2; level sizes 8 (stride 2), 4, 2 (levels −1, 0, 1).
     *
     * <pre>
     * stem0 3→1 3×3 s2 → 1×1×8×8 (64 el): 64·3·9 = 1,728 / 64 / 64
     * stem1 1→1 3×3    → 1×1×8×8:         64·1·9 =   576 / 64 / 64
     * stem2 1→2 3×3 s2 → 1×2×4×4 (32 el): 32·1·9 =   288 / 32 / 32
     *                                           stem  2,592 / 160 / 160
     * layer 0 (level 0, C 2, 4×4): H^{−2} = stem1 (1 ch, 8×8) one level finer, H^{−1} = stem2
     *   pre0 ReLU 64, 3×3 s2 1→2: 32·1·9 = 288, BN 32
     *   pre1 ReLU 32, 1×1 2→2: 32·2 = 64, BN 32
     *   sep_conv_3x3 C 2 twice (ReLU 32, dw 32·9 = 288, pw 32·2 = 64, BN 32): 704 / 64 / 64
     *   skip 0; add 32                              1,056 / 128 / 192
     * layer 1 (level 1, C 4, 2×2): H^{−2} = stem2 (2 ch, 4×4), H^{−1} = layer 0 (2 ch, 4×4)
     *   pre0, pre1 each ReLU 32, 3×3 s2 2→4: 16·2·9 = 288, BN 16
     *   sep_conv_3x3 C 4 twice (ReLU 16, dw 16·9 = 144, pw 16·4 = 64, BN 16): 416 / 32 / 32
     *   add 16                                        992 / 64 / 112
     * layer 2 (level 0, C 2, 4×4): H^{−2} = layer 0 (2 ch, 4×4), H^{−1} = layer 1 (4 ch, 2×2)
     *   pre0 ReLU 32, 1×1 2→2: 64, BN 32
     *   pre1 bilinear 1×4×2×2 → 1×4×4×4: 4·64 = 256 interpolate; ReLU 64, 1×1 4→2: 32·4 = 128, BN 32
     *   sep_conv_3x3 C 2: 704 / 64 / 64; add 32        896 / 128 / 192, interpolate 256
     * ASPP on layer 2 (2 ch, 4×4, rates 24/48/72 at stride 4), width 2:
     *   1×1: 32·2 = 64 / 32 / 32; three 3×3: 3·(32·2·9 = 576) = 1,728 / 96 / 96
     *   image pooling: mean over W 8 outputs · 4 taps = 32, over H 2 · 4 = 8 → pool 40;
     *   its 1×1 2→2 on 1×1: 4, ReLU 2; projection 1×1 10→2: 32·10 = 320 / 32 / 32
     *                                               2,116 / 160 / 162, pool 40
     * decoder: low-level = layer 0 (the path leaves level 0 at layer 1), 2 ch 4×4
     *   low 1×1 2→2: 64 / 32 / 32; ASPP output already 4×4: no resize
     *   fuse1 3×3 4→2: 32·4·9 = 1,152 / 32 / 32; fuse2 3×3 2→2: 576 / 32 / 32
     *   classifier 1×1 2→2: 64                      1,856 / 96 / 96
     * logits 1×2×4×4 → 1×2×16×16: 4·512 = 2,048 interpolate
     *
     * conv        2,592 + 1,056 + 992 + 896 + 2,116 + 1,856 = 9,508
     * batchnorm     160 + 128 + 64 + 128 + 160 + 96         =   736
     * elementwise   160 + 192 + 112 + 192 + 162 + 96        =   914
     * pool                                                       40
     * interpolate   256 + 2,048                             = 2,304
     * total                                                    13,502
     * </pre>
     *
     * Weights: stem 29 + 11 + 22 = 62; layer 0: 22 + 8 + 2·(18 + 4 + 4) = 82; layer 1: 2·(72 + 8) +
     * 2·(36 + 16 + 8) = 280; layer 2: 8 + (8 + 4) + 52 = 72; ASPP 158 and decoder 130 (as in
     * AutoDeepLabNetTest's hand count) → 784. BN channels 4 + 8 + 16 + 8 + 10 + 6 = 52, so 104
     * running statistics.
     */
    @Test
    void tinyNetworkCountedByHand() {
        AutoDeepLabNet net = tiny();
        Shape in = new Shape(1, 3, 16, 16);
        CostReport r = CostCounter.of(net, in);
        assertEquals(List.of(), r.warnings());
        assertEquals(new Shape(1, 2, 16, 16), r.outputShapes()[0]);
        assertEquals(9_508, r.macs(OpType.CONV));
        assertEquals(736, r.macs(OpType.BATCH_NORM));
        assertEquals(914, r.macs(OpType.ELEMENTWISE));
        assertEquals(40, r.macs(OpType.POOL));
        assertEquals(2_304, r.macs(OpType.INTERPOLATE));
        assertEquals(0, r.macs(OpType.LINEAR));
        assertEquals(13_502, r.macs());
        assertEquals(784, r.params());
        assertEquals(104, r.nonTrainableParams());
        assertEquals(AutoDeepLabNet.weightCount(net.genotype(), net.settings()), r.params());
    }

    /**
     * Initialised and run, the network's real parameters and output shape are what the counter
     * reported before initialisation; counting the initialised network gives the same report.
     */
    @Test
    void countMatchesTheInitialisedNetwork() {
        AutoDeepLabNet net = tiny();
        Shape in = new Shape(1, 3, 16, 16);
        CostReport before = CostCounter.of(net, in);
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m, DataType.FLOAT32, in);
            long[] n = new long[2];
            for (Parameter p : net.getParameters().values()) {
                n[p.requiresGradient() ? 0 : 1] += p.getArray().size();
            }
            assertEquals(n[0], before.params());
            assertEquals(n[1], before.nonTrainableParams());
            Shape y =
                    net.forward(new ParameterStore(m, false), new NDList(m.ones(in)), false)
                            .head()
                            .getShape();
            assertEquals(y, before.outputShapes()[0]);
            CostReport after = CostCounter.of(net, in);
            assertEquals(before.macs(), after.macs());
            assertEquals(before.params(), after.params());
            assertEquals(List.of(), after.warnings());
        }
    }

    /**
     * A cell derives its size from an input at or below its level; with both inputs coarser it
     * needs the size as a third shape, like {@code apply}.
     */
    @Test
    void cellSizeFromItsInputsOrGiven() {
        // H^{l−2} one level finer (8×8 → 4×4), H^{l−1} at the level: size 4×4 either way
        FixedCell down = new FixedCell(ONE_BLOCK, 1, 2, 1, 1, 2, 0);
        Shape[] a = {new Shape(1, 1, 8, 8), new Shape(1, 2, 4, 4)};
        assertEquals(new Shape(1, 2, 4, 4), new CostCounter().count(down, a)[0]);
        // both one level coarser
        FixedCell up = new FixedCell(ONE_BLOCK, 1, 2, 4, -1, 4, -1);
        Shape[] coarse = {new Shape(1, 4, 2, 2), new Shape(1, 4, 2, 2)};
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> new CostCounter().count(up, coarse));
        assertTrue(e.getMessage().contains("third shape"), e.getMessage());
        CostCounter c = new CostCounter();
        Shape[] sized = {coarse[0], coarse[1], new Shape(1, 1, 3, 4)};
        assertEquals(new Shape(1, 2, 3, 4), c.count(up, sized)[0]);
        // two up-samplings 1×4×2×2 → 1×4×3×4: 2·4·48 = 384
        assertEquals(384, c.report().macs(OpType.INTERPOLATE));
    }

    /**
     * Auto-DeepLab-S: the paper's Fig. 3 cell on the paper's path at F = 20, B = 5, 19 classes, at
     * 1×3×1024×2048. Parameters as the analytic count (README); multiply-adds measured once with
     * this counter and kept so that they do not drift silently.
     */
    @Test
    void autoDeepLabS() {
        List<List<CellEdge>> cell =
                List.of(
                        List.of(new CellEdge(0, "dil_conv_5x5"), new CellEdge(1, "sep_conv_3x3")),
                        List.of(new CellEdge(0, "sep_conv_3x3"), new CellEdge(1, "dil_conv_3x3")),
                        List.of(new CellEdge(0, "sep_conv_3x3"), new CellEdge(3, "sep_conv_3x3")),
                        List.of(new CellEdge(2, "sep_conv_5x5"), new CellEdge(4, "sep_conv_5x5")),
                        List.of(new CellEdge(5, "dil_conv_5x5"), new CellEdge(4, "sep_conv_5x5")));
        AutoDeepLabGenotype g =
                new AutoDeepLabGenotype(20, 5, 12, cell, AutoDeepLabGenotype.PAPER_PATH);
        AutoDeepLabNet net = new AutoDeepLabNet(g, AutoDeepLabNet.Settings.of(g, 19));
        CostReport r = CostCounter.of(net, new Shape(1, 3, 1024, 2048));
        assertEquals(List.of(), r.warnings());
        assertEquals(7_627_529, r.params());
        assertEquals(new Shape(1, 19, 1024, 2048), r.outputShapes()[0]);
        System.out.printf(
                "[cost] Auto-DeepLab-S @1x3x1024x2048: params %d, MACs %d (conv %d, bn %d,"
                        + " pool %d, interp %d, elementwise %d)%n",
                r.params(),
                r.macs(),
                r.macs(OpType.CONV),
                r.macs(OpType.BATCH_NORM),
                r.macs(OpType.POOL),
                r.macs(OpType.INTERPOLATE),
                r.macs(OpType.ELEMENTWISE));
        assertEquals(280_381_278_208L, r.macs(OpType.CONV));
        assertEquals(282_169_453_824L, r.macs());
    }
}
