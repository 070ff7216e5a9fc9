package org.dpnas.common.nn.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.dpnas.common.cost.CostCounter;
import org.dpnas.common.cost.CostReport;
import org.dpnas.common.cost.OpType;
import org.junit.jupiter.api.Test;

/**
 * Hand-counted costs of the candidate ops on a 1×4×8×8 input (256 elements), each cross-checked
 * against the op itself: no warnings, the counted output shape is the forward's, and the counted
 * parameters are the initialised ones.
 */
class OpsCostTest {

    private static final Shape IN = new Shape(1, 4, 8, 8);

    /**
     * Counts the op, then initialises it and runs it to compare shape and parameters.
     *
     * @return the report
     */
    private static CostReport checked(Block op, Shape in) {
        CostReport r = CostCounter.of(op, in);
        assertEquals(List.of(), r.warnings());
        try (NDManager m = NDManager.newBaseManager()) {
            op.initialize(m, DataType.FLOAT32, in);
            long[] n = new long[2];
            for (Parameter p : op.getParameters().values()) {
                n[p.requiresGradient() ? 0 : 1] += p.getArray().size();
            }
            assertEquals(n[0], r.params(), "trainable");
            assertEquals(n[1], r.nonTrainableParams(), "non-trainable");
            Shape y =
                    op.forward(new ParameterStore(m, false), new NDList(m.ones(in)), false)
                            .head()
                            .getShape();
            assertEquals(y, r.outputShapes()[0]);
        }
        return r;
    }

    private static void assertMacs(
            CostReport r, long conv, long bn, long pool, long elementwise, long total) {
        assertEquals(conv, r.macs(OpType.CONV), "conv");
        assertEquals(bn, r.macs(OpType.BATCH_NORM), "batchnorm");
        assertEquals(pool, r.macs(OpType.POOL), "pool");
        assertEquals(elementwise, r.macs(OpType.ELEMENTWISE), "elementwise");
        assertEquals(0, r.macs(OpType.INTERPOLATE) + r.macs(OpType.LINEAR));
        assertEquals(total, r.macs(), "total");
    }

    /**
     * Twice (ReLU 256, depthwise 3×3 256·9 = 2,304, pointwise 256·4 = 1,024, BN 256): conv 6,656,
     * BN 512, ReLU 512 → 7,680. Weights 2·(4·9 + 4·4 + 2·4) = 120, running statistics 2·8 = 16.
     */
    @Test
    void sepConvStride1() {
        CostReport r = checked(new SepConv(4, 3, 1, true), IN);
        assertMacs(r, 6_656, 512, 0, 512, 7_680);
        assertEquals(120, r.params());
        assertEquals(16, r.nonTrainableParams());
    }

    /**
     * The stride on the first depthwise conv: ReLU 256, dw 64·9 = 576, pw 64·4 = 256, BN 64; then
     * ReLU 64, dw 576, pw 256, BN 64 → conv 1,664, BN 128, ReLU 320, total 2,112.
     */
    @Test
    void sepConvStride2() {
        CostReport r = checked(new SepConv(4, 3, 2, true), IN);
        assertMacs(r, 1_664, 128, 0, 320, 2_112);
        assertEquals(new Shape(1, 4, 4, 4), r.outputShapes()[0]);
    }

    /**
     * ReLU 256, depthwise 5×5 at rate 2 256·25 = 6,400, pointwise 1,024, BN 256 → 7,936. Weights
     * 4·25 + 16 + 8 = 124.
     */
    @Test
    void dilConv() {
        CostReport r = checked(new DilConv(4, 5, 1, 2, true), IN);
        assertMacs(r, 7_424, 256, 0, 256, 7_936);
        assertEquals(124, r.params());
    }

    /** ReLU 256, 1×1 4→6 on 64 positions 64·6·4 = 1,536, BN 6·64 = 384 → 2,176; weights 24 + 12. */
    @Test
    void reluConvBn() {
        CostReport r = checked(new ReluConvBn(6, 1, 1, true), IN);
        assertMacs(r, 1_536, 384, 0, 256, 2_176);
        assertEquals(36, r.params());
    }

    /** Max: 9 taps per output, 256·9 = 2,304; at stride 2 the output is 4×4: 64·9 = 576. */
    @Test
    void maxPool() {
        assertMacs(checked(new Pool3x3(Pool3x3.Kind.MAX, 1), IN), 0, 0, 2_304, 0, 2_304);
        assertMacs(checked(new Pool3x3(Pool3x3.Kind.MAX, 2), IN), 0, 0, 576, 0, 576);
    }

    /** Average adds the valid-tap rescaling, one multiply per output: 2,304 + 256, 576 + 64. */
    @Test
    void avgPool() {
        assertMacs(checked(new Pool3x3(Pool3x3.Kind.AVG, 1), IN), 0, 0, 2_304, 256, 2_560);
        assertMacs(checked(new Pool3x3(Pool3x3.Kind.AVG, 2), IN), 0, 0, 576, 64, 640);
    }

    /** Pooling as a mixed op wraps it: 2,304 + 256 taps and rescaling, then a BN of 256. */
    @Test
    void poolFollowedByBn() {
        CostReport r = checked(new PoolBn(new Pool3x3(Pool3x3.Kind.AVG, 1)), IN);
        assertMacs(r, 0, 256, 2_304, 256, 2_816);
    }

    /** Identity and zero are free; zero at stride 2 halves the size. */
    @Test
    void identityAndZeroAreFree() {
        assertMacs(checked(new Identity(), IN), 0, 0, 0, 0, 0);
        assertMacs(checked(new Zero(1), IN), 0, 0, 0, 0, 0);
        CostReport z = checked(new Zero(2), IN);
        assertMacs(z, 0, 0, 0, 0, 0);
        assertEquals(new Shape(1, 4, 4, 4), z.outputShapes()[0]);
    }

    /**
     * ReLU 256; left 1×1 s2 4→2 on 8×8: 2·4·4 outputs · 4 = 128; right on the shifted 7×7 also to
     * 4×4: 128; BN on the concatenated 1×4×4×4: 64 → 576. Weights 2·(2·4) + 8 = 24, statistics 8.
     */
    @Test
    void factorizedReduce() {
        CostReport r = checked(new FactorizedReduce(4, 4, true), IN);
        assertMacs(r, 256, 64, 0, 256, 576);
        assertEquals(24, r.params());
        assertEquals(8, r.nonTrainableParams());
        assertEquals(new Shape(1, 4, 4, 4), r.outputShapes()[0]);
    }
}
