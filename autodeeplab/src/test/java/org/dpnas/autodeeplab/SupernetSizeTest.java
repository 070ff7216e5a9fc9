package org.dpnas.autodeeplab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
