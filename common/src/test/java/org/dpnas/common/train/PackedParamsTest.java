package org.dpnas.common.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import java.util.List;
import org.dpnas.common.nn.ConvBnAct;
import org.junit.jupiter.api.Test;

/**
 * Packed parameter groups: the same gradients, clipping, optimizer updates and Polyak averages as
 * the per-weight path (float64), hand-computed packed Adam, and the parameters staying views of the
 * buffer.
 */
class PackedParamsTest {

    private static Parameter param(NDManager m, String name, DataType type, double... init) {
        Parameter p =
                Parameter.builder()
                        .setName(name)
                        .setType(Parameter.Type.WEIGHT)
                        .optShape(new Shape(init.length))
                        .optInitializer(new ConstantInitializer(0f))
                        .build();
        p.initialize(m, type);
        p.getArray().set(new NDIndex("..."), m.create(init).toType(type, false));
        return p;
    }

    /**
     * Two parameters a = (1, 1), b = (1) packed into one buffer, loss (1, −2)·a + 3·b, PyTorch Adam
     * lr 0.1: the first step moves every weight by −0.1·sign(g) (m̂ = g, v̂ = g²), so a = (0.9,
     * 1.1), b = 0.9 — read through the parameters, which are views of the buffer.
     */
    @Test
    void packedAdamMovesEveryWeightByTheHandValue() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter a = param(m, "a", DataType.FLOAT64, 1, 1);
            Parameter b = param(m, "b", DataType.FLOAT64, 1);
            try (PackedParams g = PackedParams.pack(List.of(a, b))) {
                assertEquals(3, g.size());
                assertArrayEquals(new double[] {1, 1, 1}, g.flat().toDoubleArray(), 0);
                Adam adam = new Adam(0.9f, 0.999f, 1e-8f, 0f, false);
                PackedStore ps = new PackedStore(m, List.of(g));
                try (NDManager sm = m.newSubManager()) {
                    g.beginStep(sm);
                    NDArray wa = ps.getValue(a, m.getDevice(), true);
                    NDArray wb = ps.getValue(b, m.getDevice(), true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray ga = sm.create(new double[] {1, -2});
                        NDArray gb = sm.create(new double[] {3});
                        gc.backward(ga.mul(wa).sum().add(gb.mul(wb).sum()));
                    }
                    assertArrayEquals(new double[] {1, -2, 3}, g.gradient().toDoubleArray(), 0);
                    adam.step(g, 0.1f);
                }
                assertArrayEquals(new double[] {0.9, 1.1}, a.getArray().toDoubleArray(), 1e-7);
                assertArrayEquals(new double[] {0.9}, b.getArray().toDoubleArray(), 1e-7);
                // outside a step the store serves the parameters' own arrays
                assertTrue(ps.getValue(a, m.getDevice(), false) == a.getArray());
                adam.close();
            }
        }
    }

    /**
     * Two networks with the same float64 weights: one trained per weight array (the old path), one
     * with its two blocks packed into two groups (SGD with a changing learning rate, Adam), both
     * clipped at a norm that bites, both Polyak-averaged. Every step must give the same norms and
     * weights up to float64 rounding (the packed norm sums in another order: relative 1e-15 per
     * operation; 1e-12 leaves room for the few steps), the BatchNorm statistics must agree, and
     * after {@code Polyak.apply} the packed parameters must still be views of the buffers.
     */
    @Test
    void packedStepsEqualPerWeightSteps() {
        try (NDManager m = NDManager.newBaseManager();
                Constants c = new Constants(m)) {
            Shape in = new Shape(2, 2, 5, 5);
            SequentialBlock plain = net();
            SequentialBlock packed = net();
            plain.initialize(m, DataType.FLOAT64, in);
            packed.initialize(m, DataType.FLOAT64, in);
            List<Parameter> all0 = ParamIO.trainable(plain);
            List<Parameter> all1 = ParamIO.trainable(packed);
            for (int i = 0; i < plain.getParameters().size(); i++) {
                NDArray src = plain.getParameters().get(i).getValue().getArray();
                packed.getParameters().get(i).getValue().getArray().set(new NDIndex("..."), src);
            }
            List<Parameter> first0 = ParamIO.trainable(plain.getChildren().get(0).getValue());
            List<Parameter> second0 = ParamIO.trainable(plain.getChildren().get(1).getValue());
            List<Parameter> first1 = ParamIO.trainable(packed.getChildren().get(0).getValue());
            List<Parameter> second1 = ParamIO.trainable(packed.getChildren().get(1).getValue());
            NDArray x = m.randomNormal(in).toType(DataType.FLOAT64, false);
            Sgd sgd0 = new Sgd(0.9f, 1e-2f);
            Adam adam0 = new Adam(0.9f, 0.999f, 1e-8f, 1e-2f, false);
            Sgd sgd1 = new Sgd(0.9f, 1e-2f);
            Adam adam1 = new Adam(0.9f, 0.999f, 1e-8f, 1e-2f, false);
            ParameterStore ps0 = new ParameterStore(m, false);
            try (PackedParams g1 = PackedParams.pack(first1);
                    PackedParams g2 = PackedParams.pack(second1);
                    Polyak avg0 = new Polyak(all0, 0.9f);
                    Polyak avg1 = Polyak.ofPacked(List.of(g1, g2), 0.9f)) {
                PackedStore ps1 = new PackedStore(m, List.of(g1, g2));
                float[] lrs = {0.1f, 0.05f, 0.05f};
                for (float lr : lrs) {
                    try (NDManager sm = m.newSubManager()) {
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            gc.backward(
                                    plain.forward(ps0, new NDList(x), true).head().square().sum());
                        }
                        double n1 = GradClip.clipByGlobalNorm(first0, 0.5f, sm, c).getDouble();
                        double n2 = GradClip.clipByGlobalNorm(second0, 0.5f, sm, c).getDouble();
                        sgd0.step(first0, lr);
                        adam0.step(second0, lr);
                        avg0.update();

                        g1.beginStep(sm);
                        g2.beginStep(sm);
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            gc.backward(
                                    packed.forward(ps1, new NDList(x), true).head().square().sum());
                        }
                        assertEquals(
                                n1,
                                GradClip.clipByGlobalNorm(g1, 0.5f, sm, c).getDouble(),
                                1e-12 * n1);
                        assertEquals(
                                n2,
                                GradClip.clipByGlobalNorm(g2, 0.5f, sm, c).getDouble(),
                                1e-12 * n2);
                        assertTrue(n1 > 0.5 && n2 > 0.5, "the clip must bite: " + n1 + ", " + n2);
                        sgd1.step(g1, lr);
                        adam1.step(g2, lr);
                        avg1.update();
                    }
                    assertSame(plain, packed, 1e-12);
                }
                avg0.apply();
                avg1.apply();
                assertSame(plain, packed, 1e-12);
                // still views: a packed step after apply moves the parameters
                double before = all1.get(0).getArray().sum().getDouble();
                try (NDManager sm = m.newSubManager()) {
                    g1.beginStep(sm);
                    g2.beginStep(sm);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.backward(packed.forward(ps1, new NDList(x), true).head().square().sum());
                    }
                    sgd1.step(g1, 0.1f);
                }
                assertTrue(before != all1.get(0).getArray().sum().getDouble());
                assertEquals(
                        g1.flat()
                                .get(new NDIndex("0:{}", all1.get(0).getArray().size()))
                                .sum()
                                .getDouble(),
                        all1.get(0).getArray().sum().getDouble(),
                        0);
            } finally {
                sgd0.close();
                sgd1.close();
                adam0.close();
                adam1.close();
            }
        }
    }

    /** Every parameter and BatchNorm statistic of {@code a} equals {@code b}'s. */
    private static void assertSame(SequentialBlock a, SequentialBlock b, double tol) {
        for (int i = 0; i < a.getParameters().size(); i++) {
            var pa = a.getParameters().get(i);
            var pb = b.getParameters().get(i);
            double[] va = pa.getValue().getArray().toDoubleArray();
            double[] vb = pb.getValue().getArray().toDoubleArray();
            assertArrayEquals(va, vb, tol, pa.getKey());
        }
    }

    private static SequentialBlock net() {
        return new SequentialBlock().add(ConvBnAct.of(4, 3, 1)).add(ConvBnAct.of(3, 1, 1));
    }

    @Test
    void rejectsBadGroupsAndLayoutSwitches() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter a = param(m, "a", DataType.FLOAT32, 1, 2);
            Parameter b = param(m, "b", DataType.FLOAT64, 1);
            assertThrows(IllegalArgumentException.class, () -> PackedParams.pack(List.of()));
            var e =
                    assertThrows(
                            IllegalArgumentException.class, () -> PackedParams.pack(List.of(a, b)));
            assertTrue(e.getMessage().contains("'b'"), e.getMessage());
            e =
                    assertThrows(
                            IllegalArgumentException.class, () -> PackedParams.pack(List.of(a, a)));
            assertTrue(e.getMessage().contains("twice"), e.getMessage());
            try (PackedParams g = PackedParams.pack(List.of(a))) {
                assertThrows(IllegalStateException.class, g::gradient);
                Sgd sgd = new Sgd(0f, 0f);
                try (NDManager sm = m.newSubManager()) {
                    g.beginStep(sm);
                    assertThrows(IllegalStateException.class, () -> g.beginStep(sm));
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray w = new PackedStore(m, List.of(g)).getValue(a, m.getDevice(), true);
                        gc.backward(w.sum());
                    }
                    sgd.step(g, 1f);
                }
                assertArrayEquals(new float[] {0f, 1f}, a.getArray().toFloatArray(), 0f);
                // a packed optimizer does not step the same weights per array
                assertThrows(IllegalStateException.class, () -> sgd.step(List.of(a, a), 1f));
                sgd.close();
            }
        }
    }
}
