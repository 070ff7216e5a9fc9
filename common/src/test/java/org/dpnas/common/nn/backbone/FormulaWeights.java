package org.dpnas.common.nn.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.Map;
import org.dpnas.common.io.TorchNames;

/**
 * The deterministic weights and inputs of {@code common/src/test/python/backbones_ref.py} ({@code
 * formula_weights}, {@code formula_input}), reproduced exactly in float64.
 */
final class FormulaWeights {

    private FormulaWeights() {}

    static double base(long j, int seed) {
        return (double) ((j * 37 + seed * 11L) % 101 - 50) / 50.0;
    }

    static int seed(String name) {
        long s = 0;
        for (int i = 0; i < name.length(); i++) {
            s += (long) (i + 1) * name.charAt(i);
        }
        return (int) (s % 1000);
    }

    /** Sets every parameter of a float64 block by the formula. */
    static void apply(Block block) {
        for (Map.Entry<String, Parameter> e : TorchNames.of(block).entrySet()) {
            String name = e.getKey();
            NDArray a = e.getValue().getArray();
            Shape shape = a.getShape();
            int n = (int) shape.size();
            int seed = seed(name);
            double[] v = new double[n];
            for (int j = 0; j < n; j++) {
                double b = base(j, seed);
                if (name.endsWith("running_var")) {
                    b = 1.0 + 0.5 * Math.abs(b);
                } else if (name.endsWith("running_mean") || name.endsWith("bias")) {
                    b = 0.1 * b;
                } else if (shape.dimension() == 1) {
                    b = 1.0 + 0.25 * b;
                } else {
                    b = b * (1.5 / Math.sqrt((double) (n / shape.get(0))));
                }
                v[j] = b;
            }
            try (NDManager scratch = a.getManager().newSubManager()) {
                a.set(new NDIndex("..."), scratch.create(v, shape));
            }
        }
    }

    /** The formula input of the given shape, float64. */
    static NDArray input(NDManager m, Shape shape) {
        double[] x = new double[(int) shape.size()];
        for (int j = 0; j < x.length; j++) {
            x[j] = (double) ((j * 13L) % 29 - 14) / 14.0;
        }
        return m.create(x, shape);
    }
}
