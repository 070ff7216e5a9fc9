package org.dpnas.cas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.util.List;
import org.dpnas.common.cost.CostCounter;
import org.dpnas.common.cost.CostReport;
import org.dpnas.common.cost.LatencyMeter;
import org.dpnas.common.cost.LatencyTable;
import org.dpnas.common.nn.ops.OpSpec;
import org.junit.jupiter.api.Test;

/** The network's layout, shapes, parameter split and the paper's op costs against hand values. */
class CasNetTest {

    private static final CasSizes SIZES =
            new CasSizes(5, 4, 4, 3, 8, CasSpace.MS_RATES, CasSpace.OPS);

    @Test
    void supernetAndFixedNetworkMapImagesToLogitsOfTheInputSize() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            // 30 × 21 is not a multiple of the output stride 8: resized to 32 × 24 inside
            Shape xs = new Shape(2, 3, 30, 21);
            CasNet sup = CasNet.supernet(SIZES);
            sup.initialize(m, DataType.FLOAT32, xs);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray y = sup.forward(ps, new NDList(m.randomNormal(xs)), false).head();
            assertEquals(new Shape(2, 5, 30, 21), y.getShape());
            assertEquals(8, sup.outputStride());
            // cells N R R N: output stride 2 · 2 · 2 = 8, channels doubled at each reduction
            List<Shape[]> in = sup.cellInputShapes(2, 30, 21);
            assertEquals(new Shape(2, 4 * 3 * 4, 4, 3), in.get(4)[0]);
            assertEquals(
                    List.of(false, true, true, false),
                    sup.cells().stream().map(CasCell::reduction).toList());
            // α apart from the weights
            assertEquals(3, sup.archParameters().size());
            assertEquals(new Shape(9, 7), sup.alphaNormal().getArray().getShape());
            assertEquals(new Shape(5), sup.alphaMs().getArray().getShape());
            assertTrue(sup.weightParameters().stream().noneMatch(sup.archParameters()::contains));
            CasGenotype g = sup.derive();
            assertEquals(3, g.normal().size());
            assertEquals(2, g.multiscale().size());

            CasNet fixed = CasNet.fixed(CasGenotype.fromJson(CasGenotypeTest.golden()), 5, 4);
            fixed.initialize(m, DataType.FLOAT32, xs);
            NDArray z = fixed.forward(ps, new NDList(m.randomNormal(xs)), false).head();
            assertEquals(new Shape(2, 5, 30, 21), z.getShape());
            assertTrue(fixed.archParameters().isEmpty());
            CostReport r = CostCounter.of(fixed, xs);
            assertTrue(r.warnings().isEmpty(), r.warnings().toString());
            long actual = 0;
            for (var p : fixed.weightParameters()) {
                actual += p.getArray().size();
            }
            assertEquals(actual, r.params(), "counted params = initialised params");
        }
    }

    /**
     * With the parameter cost, a cell of only op o minus a cell of only identity differs by E
     * copies of o's weights (the preprocessing is the same), so the per-edge cost is o's own weight
     * count: 2·(9C + C² + 2C) for sep_conv_3x3 at C channels, summed over the cells of a type
     * (normal cells at C = 4 and C = 16; reduction cells at 8 and 16, where edges from the cell
     * inputs have stride 2 and identity is a factorized reduction there).
     */
    @Test
    void paramCostOfAnOpIsItsWeightsPerEdgeSummedOverCellsOfAType() {
        try (NDManager m = NDManager.newBaseManager()) {
            CasNet sup = CasNet.supernet(SIZES);
            OpCosts c =
                    OpCosts.of(
                            sup,
                            CostKind.PARAMS,
                            32,
                            32,
                            LatencyTable.forDevice(m.getDevice()),
                            m,
                            new LatencyMeter(0, 1));
            int sep = SIZES.ops().indexOf(OpSpec.SEP_CONV_3X3);
            int skip = SIZES.ops().indexOf(OpSpec.SKIP_CONNECT);
            double expected =
                    (OpSpec.SEP_CONV_3X3.weightCount(4, 1, true)
                                    + OpSpec.SEP_CONV_3X3.weightCount(16, 1, true))
                            / 1e6;
            assertEquals(expected, c.normal()[0][sep], 1e-6 * expected);
            assertEquals(0.0, c.normal()[3][skip], 0.0);
            // reduction: 6 of 9 edges read the cell inputs (stride 2, identity = factorized
            // reduction), 3 read blocks (stride 1, identity free)
            double red = 0;
            for (int ch : new int[] {8, 16}) {
                red +=
                        (6.0
                                                * (OpSpec.SEP_CONV_3X3.weightCount(ch, 2, true)
                                                        - OpSpec.SKIP_CONNECT.weightCount(
                                                                ch, 2, true))
                                        + 3.0 * OpSpec.SEP_CONV_3X3.weightCount(ch, 1, true))
                                / 9
                                / 1e6;
            }
            assertEquals(red, c.reduce()[0][sep], 1e-5 * red);
            // multi-scale branch at rate r: a dilated 3×3 depthwise + pointwise + BN on M = 8
            double branch = (8 * 9 + 8 * 8 + 2 * 8) / 1e6;
            assertEquals(0.0, c.multiscale()[0], 0.0);
            assertEquals(branch, c.multiscale()[3], 1e-6 * branch);
        }
    }

    @Test
    void latencyCostsAreMeasuredOnceAndReadFromTheTable() {
        try (NDManager m = NDManager.newBaseManager()) {
            CasNet sup = CasNet.supernet(new CasSizes(3, 4, 2, 2, 8, List.of(0, 2), CasSpace.OPS));
            LatencyTable t = LatencyTable.forDevice(m.getDevice());
            OpCosts a = OpCosts.of(sup, CostKind.LATENCY, 16, 16, t, m, new LatencyMeter(0, 1));
            // 2 cells × 7 ops (identity included) + 2 multi-scale cells
            assertEquals(2 * 7 + 2, t.entries().size());
            t.entries().keySet().forEach(k -> t.put(k, 1.0));
            t.put(
                    t.entries().keySet().stream()
                            .filter(k -> k.contains("all sep_conv_3x3"))
                            .findFirst()
                            .orElseThrow(),
                    4.0);
            OpCosts b = OpCosts.of(sup, CostKind.LATENCY, 16, 16, t, m, new LatencyMeter(0, 1));
            assertEquals(2 * 7 + 2, t.entries().size(), "nothing measured again");
            int sep = CasSpace.OPS.indexOf(OpSpec.SEP_CONV_3X3);
            int edges = 5;
            // only the first cell's sep entry was set to 4: (4 − 1) / edges
            float s = b.normal()[0][sep] + b.reduce()[0][sep];
            assertEquals(3.0 / edges, s, 1e-6);
            assertEquals(0.0, b.multiscale()[1], 0.0);
            assertTrue(a.normal().length == edges);
        }
    }
}
