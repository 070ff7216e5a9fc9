package org.dpnas.common.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

class BatchNormsTest {

    /**
     * In float64, the direct call gives DJL's BatchNorm block's output and running statistics, in
     * training (batch statistics, running ones moved by PyTorch's 0.1) and in inference; the
     * running mean after one training call is 0.1 × the batch mean, computed by hand.
     */
    @Test
    void matchesDjlsBlock() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            Shape in = new Shape(3, 5, 4, 2);
            BatchNorm djl = BatchNorm.builder().optMomentum(0.9f).optEpsilon(1e-5f).build();
            BatchNorm ours = BatchNorm.builder().optMomentum(0.9f).optEpsilon(1e-5f).build();
            djl.initialize(m, DataType.FLOAT64, in);
            ours.initialize(m, DataType.FLOAT64, in);
            NDArray gamma =
                    m.randomUniform(0.5f, 1.5f, new Shape(5)).toType(DataType.FLOAT64, false);
            NDArray beta = m.randomNormal(new Shape(5)).toType(DataType.FLOAT64, false);
            for (BatchNorm b : new BatchNorm[] {djl, ours}) {
                b.getParameters().get("gamma").getArray().set(gamma.toDoubleArray());
                b.getParameters().get("beta").getArray().set(beta.toDoubleArray());
            }
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x =
                    m.randomNormal(2f, 3f, in, DataType.FLOAT32).toType(DataType.FLOAT64, false);
            for (boolean training : new boolean[] {true, true, false}) {
                double[] a = djl.forward(ps, new NDList(x), training).head().toDoubleArray();
                double[] b = BatchNorms.apply(ps, ours, x, 0.9f, 1e-5f, training).toDoubleArray();
                assertArrayEquals(a, b, 1e-12, "output, training " + training);
                for (String p : new String[] {"runningMean", "runningVar"}) {
                    assertArrayEquals(
                            djl.getParameters().get(p).getArray().toDoubleArray(),
                            ours.getParameters().get(p).getArray().toDoubleArray(),
                            1e-12,
                            p);
                }
            }
            // two training calls from zero: m2 = (1 − a)·a·μ + a·μ = a·(2 − a)·μ per channel, with
            // DJL's a = (double) (1f − 0.9f), 2.4e-8 above 0.1
            double[] mu =
                    x.transpose(1, 0, 2, 3).reshape(5, -1).mean(new int[] {1}).toDoubleArray();
            double a = (double) (1f - 0.9f);
            double[] want = new double[5];
            for (int c = 0; c < 5; c++) {
                want[c] = a * (2 - a) * mu[c];
            }
            assertArrayEquals(
                    want, ours.getParameters().get("runningMean").getArray().toDoubleArray(), 1e-7);
        }
    }
}
