package org.dpnas.common.nn.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A mixed op with a selected op (GDAS) runs that op alone. */
class MixedOpSampledTest {

    /** An identity op that counts its forward calls. */
    private static final class Counting extends AbstractBlock {
        int calls;

        @Override
        protected NDList forwardInternal(
                ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
            calls++;
            return new NDList(in.head());
        }

        @Override
        public Shape[] getOutputShapes(Shape[] in) {
            return new Shape[] {in[0]};
        }
    }

    private static final List<OpSpec> OPS =
            List.of(OpSpec.NONE, OpSpec.SKIP_CONNECT, OpSpec.SEP_CONV_3X3, OpSpec.AVG_POOL_3X3);

    @Test
    void onlyTheSelectedOpRunsAndTheOthersAreUntouched() {
        Counting[] c = {null, new Counting(), new Counting(), new Counting()};
        MixedOp op = new MixedOp(OPS, 1, new Block[] {null, c[1], c[2], c[3]});
        try (NDManager m = NDManager.newBaseManager()) {
            op.initialize(m, DataType.FLOAT32, new Shape(1, 2, 4, 4));
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.arange(32f).reshape(1, 2, 4, 4);
            NDArray w = m.create(new float[] {0, 0, 2, 0});
            NDArray y = op.forward(ps, x, w, 2, true);
            assertEquals(0, c[1].calls);
            assertEquals(1, c[2].calls);
            assertEquals(0, c[3].calls);
            // w_k · o_k(x) with o_k the identity here
            assertArrayEquals(x.mul(2f).toFloatArray(), y.toFloatArray(), 0f);
            // the full mixture runs every op that is not none
            op.forward(ps, x, w, -1, true);
            assertEquals(1, c[1].calls);
            assertEquals(2, c[2].calls);
            assertEquals(1, c[3].calls);
            // none selected: a zero map of the output shape, nothing runs
            NDArray z = op.forward(ps, x, w, 0, true);
            assertEquals(x.getShape(), z.getShape());
            assertEquals(0f, z.abs().sum().getFloat(), 0f);
            assertEquals(1, c[1].calls);
            assertThrows(IllegalArgumentException.class, () -> op.forward(ps, x, w, 4, true));
        }
    }

    /** The real candidates: BN running statistics of ops that did not run stay as they were. */
    @Test
    void unselectedOpsKeepTheirBatchNormStatistics() {
        MixedOp op = new MixedOp(2, 1, OPS, false);
        try (NDManager m = NDManager.newBaseManager()) {
            op.initialize(m, DataType.FLOAT32, new Shape(2, 2, 6, 6));
            ParameterStore ps = new ParameterStore(m, false);
            float[] before = runningMeans(op);
            NDArray x = m.randomNormal(new Shape(2, 2, 6, 6)).add(3f);
            op.forward(ps, x, m.create(new float[] {0, 0, 1, 0}), 2, true);
            float[] after = runningMeans(op);
            // sep_conv (index 2) moved its statistics, avg_pool's BN did not
            assertEquals(before[1], after[1], 0f, "avg_pool BN untouched");
            org.junit.jupiter.api.Assertions.assertNotEquals(before[0], after[0]);
        }
    }

    /** Σ of the first BN running mean under sep_conv_3x3, then under avg_pool_3x3. */
    private static float[] runningMeans(MixedOp op) {
        float sep = 0;
        float pool = 0;
        for (var p : op.getParameters()) {
            if (p.getKey().contains("runningMean")) {
                float s = p.getValue().getArray().sum().getFloat();
                if (p.getKey().startsWith("03avg_pool_3x3") || p.getKey().contains("avg_pool")) {
                    pool += s;
                } else if (p.getKey().contains("sep_conv")) {
                    sep += s;
                }
            }
        }
        return new float[] {sep, pool};
    }
}
