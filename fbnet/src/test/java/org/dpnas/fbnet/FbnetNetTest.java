package org.dpnas.fbnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.common.cost.CostCounter;
import org.junit.jupiter.api.Test;

/**
 * The network: Table 1's macro-architecture (channels, strides, the atrous tail at output stride
 * 16), the channel shuffle on hand values, decoding argmax θ, and the shapes of the supernet and
 * the fixed network.
 */
class FbnetNetTest {

    static FbnetSizes tiny(int classes) {
        return new FbnetSizes(classes, 0.25, List.of(1, 1, 1, 1, 1, 1, 1), 16, 16, List.of(2, 4));
    }

    @Test
    void paperDepthsGiveTable1() {
        FbnetSizes s = new FbnetSizes(2, 1.0, FbnetSizes.PAPER_DEPTHS, 32, 64, List.of(1));
        List<FbnetSizes.Layer> layers = s.layers();
        assertEquals(22, layers.size());
        assertEquals(16, s.stemChannels());
        int[] outs = new int[22];
        int[] strides = new int[22];
        for (int i = 0; i < 22; i++) {
            outs[i] = layers.get(i).out();
            strides[i] = layers.get(i).stride();
        }
        assertArrayEquals(
                new int[] {
                    16, 24, 24, 24, 24, 32, 32, 32, 32, 64, 64, 64, 64, 112, 112, 112, 112, 184,
                    184, 184, 184, 352
                },
                outs);
        assertArrayEquals(
                new int[] {1, 2, 1, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1},
                strides);
        assertEquals(32, layers.get(21).inputStride());
        assertEquals(1, layers.get(21).dilation());

        // output stride 16: the 184 stage keeps the resolution and dilates by 2 from then on
        FbnetSizes os16 = new FbnetSizes(2, 1.0, FbnetSizes.PAPER_DEPTHS, 16, 64, List.of(1));
        FbnetSizes.Layer l17 = os16.layers().get(17);
        assertEquals(1, l17.stride());
        assertEquals(2, l17.dilation());
        assertEquals(2, os16.layers().get(21).dilation());
        assertEquals(new Shape(1, 184, 14, 14), os16.layerInput(18, 224, 224));
    }

    @Test
    void channelShuffleInterleavesTheGroups() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.arange(6f).reshape(1, 6, 1, 1);
            assertArrayEquals(
                    new float[] {0, 3, 1, 4, 2, 5}, FbnetBlock.shuffle(x, 2).toFloatArray());
        }
    }

    @Test
    void decodeIsArgmaxThetaPerLayerAndTheNetworksHaveTheRightShapes() {
        FbnetSizes s = tiny(5);
        FbnetNet net = FbnetNet.supernet(s);
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m, DataType.FLOAT32, new Shape(2, 3, 32, 32));
            assertEquals(7 * 9, net.theta().getArray().size());
            float[] theta = new float[7 * 9];
            int[] pick = {8, 0, 3, 7, 1, 5, 2};
            for (int l = 0; l < 7; l++) {
                theta[l * 9 + pick[l]] = 1f;
                theta[l * 9 + (pick[l] + 1) % 9] = 0.5f;
            }
            net.theta().getArray().set(theta);
            FbnetGenotype g = net.derive();
            List<FbnetOp> want = new ArrayList<>();
            for (int p : pick) {
                want.add(FbnetOp.ALL.get(p));
            }
            assertEquals(want, g.ops());

            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomUniform(0, 1, new Shape(2, 3, 32, 32));
            try (NDManager sm = m.newSubManager()) {
                x.tempAttach(sm);
                NDArray y = net.forward(ps, new NDList(x), true).head();
                assertEquals(new Shape(2, 5, 32, 32), y.getShape());
                float[] w = net.lastWeights().toFloatArray();
                for (int l = 0; l < 7; l++) {
                    double row = 0;
                    for (int i = 0; i < 9; i++) {
                        row += w[l * 9 + i];
                    }
                    assertEquals(1.0, row, 1e-5, "mask row " + l);
                }
            }

            FbnetNet fixed = FbnetNet.fixed(g, 5);
            fixed.initialize(m, DataType.FLOAT32, new Shape(2, 3, 32, 32));
            assertTrue(fixed.archParameters().isEmpty());
            try (NDManager sm = m.newSubManager()) {
                x.tempAttach(sm);
                assertEquals(
                        new Shape(2, 5, 32, 32),
                        fixed.forward(ps, new NDList(x), false).head().getShape());
            }
            long supernetMacs = CostCounter.of(net, new Shape(1, 3, 32, 32)).macs();
            long fixedMacs = CostCounter.of(fixed, new Shape(1, 3, 32, 32)).macs();
            assertTrue(fixedMacs > 0 && fixedMacs < supernetMacs, fixedMacs + " " + supernetMacs);
        }
    }
}
