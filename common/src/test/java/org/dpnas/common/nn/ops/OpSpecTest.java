package org.dpnas.common.nn.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpSpecTest {

    @Test
    void tableHasTheDartsOpsInReferenceOrder() {
        List<String> names = OpSpec.darts().stream().map(OpSpec::opName).toList();
        assertEquals(
                List.of(
                        "none",
                        "max_pool_3x3",
                        "avg_pool_3x3",
                        "skip_connect",
                        "sep_conv_3x3",
                        "sep_conv_5x5",
                        "dil_conv_3x3",
                        "dil_conv_5x5"),
                names);
        for (OpSpec op : OpSpec.darts()) {
            assertEquals(op, OpSpec.fromName(op.opName()));
        }
    }

    @Test
    void unknownNameIsRejectedWithTheValidNames() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> OpSpec.fromName("conv_7x7"));
        assertTrue(e.getMessage().contains("sep_conv_3x3"), e.getMessage());
    }

    @Test
    void badChannelsOrStrideAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> OpSpec.SEP_CONV_3X3.create(0, 1, false));
        assertThrows(IllegalArgumentException.class, () -> OpSpec.MAX_POOL_3X3.create(4, 3, false));
        assertThrows(IllegalArgumentException.class, () -> OpSpec.SKIP_CONNECT.create(5, 2, false));
    }

    /**
     * Every op keeps (N, C) and the size at stride 1, halves it at stride 2, and has as many
     * trainable weights as the analytic count (e.g. sep_conv_3x3 at C=4: 2·(4·9+16) = 104).
     */
    @Test
    void shapesAndWeightCountsAtBothStrides() {
        assertEquals(104, OpSpec.SEP_CONV_3X3.weightCount(4, 1, false));
        assertEquals(104 + 16, OpSpec.SEP_CONV_3X3.weightCount(4, 1, true));
        assertEquals(4 * 25 + 16, OpSpec.DIL_CONV_5X5.weightCount(4, 1, false));
        assertEquals(16 + 8, OpSpec.SKIP_CONNECT.weightCount(4, 2, true));
        try (NDManager m = NDManager.newBaseManager()) {
            for (int stride : new int[] {1, 2}) {
                for (boolean affine : new boolean[] {false, true}) {
                    for (OpSpec op : OpSpec.darts()) {
                        Block b = op.create(4, stride, affine);
                        b.initialize(m, DataType.FLOAT32, new Shape(2, 4, 8, 8));
                        NDArray y =
                                b.forward(
                                                new ParameterStore(m, false),
                                                new NDList(m.randomNormal(new Shape(2, 4, 8, 8))),
                                                true)
                                        .head();
                        int s = 8 / stride;
                        assertEquals(new Shape(2, 4, s, s), y.getShape(), op + "/" + stride);
                        long n = 0;
                        for (Pair<String, Parameter> p : b.getParameters()) {
                            if (p.getValue().requiresGradient()) {
                                n += p.getValue().getArray().size();
                            }
                        }
                        assertEquals(op.weightCount(4, stride, affine), n, op + "/" + stride);
                    }
                }
            }
        }
    }

    /** The non-affine BN normalises with γ = 1, β = 0: per-channel mean 0, variance ≈ 1. */
    @Test
    void nonAffineBatchNormNormalises() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block b = OpSpec.DIL_CONV_3X3.create(4, 1, false);
            b.initialize(m, DataType.FLOAT32, new Shape(2, 4, 8, 8));
            NDArray x = m.randomNormal(new Shape(2, 4, 8, 8)).mul(3).add(1);
            NDArray y = b.forward(new ParameterStore(m, false), new NDList(x), true).head();
            NDArray c = y.transpose(1, 0, 2, 3).reshape(4, -1);
            float[] mean = c.mean(new int[] {1}).toFloatArray();
            float[] var =
                    c.sub(c.mean(new int[] {1}, true)).pow(2).mean(new int[] {1}).toFloatArray();
            for (int i = 0; i < 4; i++) {
                assertEquals(0f, mean[i], 1e-4f);
                assertEquals(1f, var[i], 1e-3f);
            }
        }
    }
}
