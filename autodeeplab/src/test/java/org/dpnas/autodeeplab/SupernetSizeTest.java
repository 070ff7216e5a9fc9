package org.dpnas.autodeeplab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class SupernetSizeTest {

    /**
     * The reference port's numbers at F=8, B=5, L=12, 19 classes (the public PyTorch reference
     * implementation of Auto-DeepLab).
     */
    @Test
    void dryRunMatchesTheReferenceAtPaperSettings() {
        AutoDeepLabSupernet.Size size = AutoDeepLabSupernet.dryRun(SupernetConfig.paper(19));
        assertEquals(11_570_580L, size.weights());
        assertEquals(160L, size.alphas());
        assertEquals(144L, size.betas());
        assertEquals(45, size.cells());
    }

    @Test
    void dryRunMatchesTheReferenceAtFourLayers() {
        assertEquals(
                3_739_540L, AutoDeepLabSupernet.dryRun(new SupernetConfig(19, 4, 8, 5)).weights());
    }

    /** The analytic count equals the parameters the built supernet actually holds. */
    @Test
    void builtSupernetHoldsExactlyTheDryRunCount() {
        for (SupernetConfig c :
                new SupernetConfig[] {
                    new SupernetConfig(19, 4, 8, 5),
                    SupernetConfig.paper(19),
                    new SupernetConfig(5, 2, 4, 3)
                }) {
            try (NDManager m = NDManager.newBaseManager()) {
                AutoDeepLabSupernet net = new AutoDeepLabSupernet(c);
                net.initialize(m, DataType.FLOAT32, new Shape(2, 3, 32, 32));
                AutoDeepLabSupernet.Size size = AutoDeepLabSupernet.dryRun(c);
                assertEquals(size.weights(), net.countWeights(), c.toString());
                assertEquals(size.alphas(), net.alphas().getArray().size());
                assertEquals(size.betas(), net.betas().getArray().size());
            }
        }
    }

    /**
     * The paper's DOWN transition replaces each DOWN neighbour's 1×1 preprocessing by a 3×3
     * stride-2 one: 8 more weights per 1×1 weight. By hand at L 3, F 4, B 3: the DOWN inputs are
     * (layer 0, level 1) 12→8, (1, 1) 12→8, (1, 2) 24→16, (2, 1), (2, 2), (2, 3) 48→32 channels,
     * 2,592 weights as 1×1, so 20,736 more. The built network holds the dry-run count and runs on a
     * size whose levels are odd (40 px: levels 10, 5, 3, 2).
     */
    @Test
    void downConvolutionAddsTheHandCountedWeightsAndRuns() {
        SupernetConfig bilinear = new SupernetConfig(5, 3, 4, 3);
        SupernetConfig conv = bilinear.withDown(DownTransition.CONV);
        assertEquals(
                20_736L,
                AutoDeepLabSupernet.dryRun(conv).weights()
                        - AutoDeepLabSupernet.dryRun(bilinear).weights());
        for (SupernetImpl impl : SupernetImpl.values()) {
            try (NDManager m = NDManager.newBaseManager()) {
                AutoDeepLabSupernet net = new AutoDeepLabSupernet(conv, impl);
                net.initialize(m, DataType.FLOAT32, new Shape(2, 3, 40, 40));
                assertEquals(AutoDeepLabSupernet.dryRun(conv).weights(), net.countWeights());
                try (NDManager sm = m.newSubManager()) {
                    NDArray y =
                            net.forward(
                                            new ai.djl.training.ParameterStore(sm, false),
                                            new NDList(sm.randomNormal(new Shape(2, 3, 40, 40))),
                                            true)
                                    .head();
                    assertEquals(new Shape(2, 5, 40, 40), y.getShape(), impl.toString());
                }
            }
        }
    }

    @Test
    void cellsPerLayerFollowReachableLevels() {
        assertEquals(2, NetworkSpace.cells(1));
        assertEquals(5, NetworkSpace.cells(2));
        assertEquals(9, NetworkSpace.cells(3));
        assertEquals(13, NetworkSpace.cells(4));
    }

    @Test
    void rejectsNonsenseSizes() {
        assertThrows(IllegalArgumentException.class, () -> new SupernetConfig(19, 0, 8, 5));
        assertThrows(IllegalArgumentException.class, () -> new SupernetConfig(19, 12, 1, 5));
        assertThrows(IllegalArgumentException.class, () -> new SupernetConfig(0, 12, 8, 5));
    }
}
