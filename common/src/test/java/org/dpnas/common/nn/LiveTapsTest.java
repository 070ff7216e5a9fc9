package org.dpnas.common.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

class LiveTapsTest {

    /** The live radius in taps: every offset {@code j·d} with {@code |j|·d ≤ size − 1}. */
    @Test
    void radiusCountsTheTapsThatMeetTheMap() {
        assertEquals(0, LiveTaps.radius(1, 12, 4)); // 3×3 rate 12 on 4 pixels: centre only
        assertEquals(1, LiveTaps.radius(1, 12, 13)); // offset 12 meets pixel 12
        assertEquals(0, LiveTaps.radius(1, 12, 12));
        assertEquals(1, LiveTaps.radius(2, 6, 8)); // 5×5 rate 6 on 8: ±6 live, ±12 dead
        assertEquals(2, LiveTaps.radius(2, 6, 13));
        assertEquals(1, LiveTaps.radius(1, 3, 4));
        assertEquals(0, LiveTaps.radius(1, 3, 3));
        assertEquals(1, LiveTaps.radius(2, 1, 2)); // 5×5 on 2×2: a 3×3
        assertEquals(0, LiveTaps.radius(1, 1, 1));
    }

    /**
     * Output and both gradients equal the padded convolution's in float64 (same sum, zero terms
     * dropped), for kernels pruned to 1×1, to a smaller dilated kernel, along one axis only, and
     * not pruned at all; the dead taps' gradient is zero.
     */
    @Test
    void equalsThePaddedConvolution() {
        int[][] cases = { // kernel, dilation, height, width, groups
            {3, 12, 4, 4, 1},
            {5, 6, 8, 8, 1},
            {3, 3, 2, 5, 1},
            {5, 6, 4, 9, 6},
            {3, 2, 6, 6, 1},
            {5, 1, 2, 2, 6},
            {3, 1, 1, 1, 1},
            {3, 1, 4, 4, 1}
        };
        for (int[] c : cases) {
            try (NDManager m = NDManager.newBaseManager()) {
                Engine.getInstance().setRandomSeed(1);
                int k = c[0];
                int d = c[1];
                int ch = 6;
                Conv2d conv = conv(ch, k, d, c[4]);
                Shape in = new Shape(2, ch, c[2], c[3]);
                conv.initialize(m, DataType.FLOAT64, in);
                NDArray x = m.randomNormal(in).toType(DataType.FLOAT64, false);
                NDArray r =
                        m.randomNormal(conv.getOutputShapes(new Shape[] {in})[0])
                                .toType(DataType.FLOAT64, false);
                NDArray w = conv.getParameters().get("weight").getArray();
                String label = "k" + k + " d" + d + " " + c[2] + "x" + c[3] + " g" + c[4];

                double[][] plain =
                        run(
                                m,
                                x,
                                w,
                                r,
                                () ->
                                        conv.forward(
                                                        new ParameterStore(m, false),
                                                        new NDList(x),
                                                        true)
                                                .head());
                double[][] live =
                        run(
                                m,
                                x,
                                w,
                                r,
                                () -> LiveTaps.conv2d(new ParameterStore(m, false), conv, x, true));
                for (int i = 0; i < 3; i++) {
                    assertEquals(plain[i].length, live[i].length, label);
                    for (int j = 0; j < plain[i].length; j++) {
                        assertEquals(
                                plain[i][j], live[i][j], 1e-12, label + " part " + i + " at " + j);
                    }
                }
            }
        }
    }

    /**
     * The pruned path never reads the dead taps: with them set to NaN its output stays finite,
     * while the padded convolution's turns NaN (0·NaN in the padding).
     */
    @Test
    void deadTapsAreNotRead() {
        try (NDManager m = NDManager.newBaseManager()) {
            Conv2d conv = conv(4, 3, 12, 1);
            Shape in = new Shape(1, 4, 4, 4);
            conv.initialize(m, DataType.FLOAT64, in);
            NDArray w = conv.getParameters().get("weight").getArray();
            NDArray centre = w.get(":, :, 1:2, 1:2").duplicate();
            w.set(new ai.djl.ndarray.index.NDIndex(":, :, :, :"), Double.NaN);
            w.set(new ai.djl.ndarray.index.NDIndex(":, :, 1:2, 1:2"), centre);
            NDArray x = m.ones(in, DataType.FLOAT64);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray live = LiveTaps.conv2d(ps, conv, x, false);
            NDArray padded = conv.forward(ps, new NDList(x), false).head();
            assertFalse(live.isNaN().any().getBoolean(), "pruned output read a dead tap");
            assertTrue(padded.isNaN().any().getBoolean(), "the padded conv should read them");
        }
    }

    private static Conv2d conv(int ch, int k, int d, int groups) {
        int pad = d * (k - 1) / 2;
        return Conv2d.builder()
                .setFilters(ch)
                .setKernelShape(new Shape(k, k))
                .optPadding(new Shape(pad, pad))
                .optDilation(new Shape(d, d))
                .optGroups(groups)
                .optBias(false)
                .build();
    }

    /** {output, d(Σ y·r)/dx, d(Σ y·r)/dw} of one forward. */
    private static double[][] run(
            NDManager m, NDArray x, NDArray w, NDArray r, java.util.function.Supplier<NDArray> f) {
        for (NDArray a : new NDArray[] {x, w}) {
            if (a.hasGradient()) {
                a.getGradient().muli(0);
            } else {
                a.setRequiresGradient(true);
            }
        }
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y = f.get();
            gc.backward(y.mul(r).sum());
            return new double[][] {
                y.toDoubleArray(), x.getGradient().toDoubleArray(), w.getGradient().toDoubleArray()
            };
        }
    }
}
