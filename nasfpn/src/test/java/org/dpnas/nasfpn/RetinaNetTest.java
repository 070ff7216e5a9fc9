package org.dpnas.nasfpn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.List;
import org.dpnas.common.data.Box;
import org.dpnas.common.det.AnchorGenerator;
import org.dpnas.common.det.AnchorMatcher;
import org.dpnas.common.det.BoxCoder;
import org.dpnas.common.det.DetectionLoss;
import org.dpnas.common.det.DetectionTargets;
import org.dpnas.common.train.Constants;
import org.junit.jupiter.api.Test;

class RetinaNetTest {

    private static long pyramidParams(PyramidNetwork p) {
        long n = 0;
        for (Pair<String, Parameter> e : p.getParameters()) {
            if (e.getValue().requiresGradient()) {
                n += e.getValue().getArray().getShape().size();
            }
        }
        return n;
    }

    /**
     * Every merging cell owns one 3×3 conv (9w² weights, no bias) and a BN (γ, β): at w = 256 the
     * published 7-cell NAS-FPN has 7 · (9·256² + 512) = 4,132,352 trainable weights, FPN's 5 cells
     * 2,951,680.
     */
    @Test
    void fpnAndNasFpnBuildAndCount() {
        try (NDManager m = NDManager.newBaseManager()) {
            Shape[] in = new Shape[5];
            for (int i = 0; i < 5; i++) {
                int s = AnchorGenerator.featureSize(64, i + 3);
                in[i] = new Shape(1, 256, s, s);
            }
            PyramidNetwork nas = new PyramidNetwork(PyramidGenotype.nasFpn(), 256, 1, "tf");
            nas.initialize(m, DataType.FLOAT32, in);
            assertEquals(7L * (9 * 256 * 256 + 512), pyramidParams(nas));
            PyramidNetwork fpn = new PyramidNetwork(PyramidGenotype.fpn(), 256, 1, "tf");
            fpn.initialize(m, DataType.FLOAT32, in);
            assertEquals(5L * (9 * 256 * 256 + 512), pyramidParams(fpn));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> new PyramidNetwork(PyramidGenotype.fpn(), 8, 1, "max"));
        }
    }

    /** Odd sizes (72×40 → P3 9×5 … P7 1×1) survive up- and down-sampling; two stacks, two exits. */
    @Test
    void anytimeDetectorHasOneExitPerStackWithAnchorOrderedOutputs() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (String att : PyramidNetwork.ATTENTIONS) {
                RetinaNet net =
                        new RetinaNet("resnet10", PyramidGenotype.nasFpn(), 16, 2, att, 3, 9, 1);
                Shape input = new Shape(2, 3, 72, 40);
                net.initialize(m, DataType.FLOAT32, input);
                NDList out =
                        net.forward(
                                new ParameterStore(m, false),
                                new NDList(m.randomNormal(input)),
                                false);
                int anchors =
                        java.util.Arrays.stream(AnchorGenerator.retinaNet().countsPerLevel(72, 40))
                                .sum();
                assertEquals(4, out.size());
                assertEquals(new Shape(2, anchors, 3), out.get(0).getShape());
                assertEquals(new Shape(2, anchors, 4), out.get(1).getShape());
                assertEquals(new Shape(2, anchors, 3), out.get(2).getShape());
                assertEquals(out.get(0).getShape(), net.getOutputShapes(new Shape[] {input})[0]);
                // the classification prior: sigmoid(bias) = 0.01 before training, up to the
                // 0.01-std weights' contribution
                float mean = ai.djl.nn.Activation.sigmoid(out.get(0)).mean().getFloat();
                assertTrue(mean > 0.002 && mean < 0.05, "prior probability " + mean);
            }
        }
    }

    /**
     * Twenty plain SGD steps on two images with one box each lower the focal + box loss (batch 2:
     * BatchNorm needs more than one value per channel at P7, 1×1 here).
     */
    @Test
    void detectorTrainsOnOneImage() {
        Engine.getInstance().setRandomSeed(7);
        try (NDManager m = NDManager.newBaseManager();
                Constants c = new Constants(m)) {
            RetinaNet net = new RetinaNet("resnet10", PyramidGenotype.fpn(), 16, 1, "tf", 2, 9, 1);
            Shape input = new Shape(2, 3, 64, 64);
            net.initialize(m, DataType.FLOAT32, input);
            float[] anchors = AnchorGenerator.retinaNet().generate(64, 64);
            DetectionTargets t =
                    DetectionTargets.of(
                            anchors,
                            List.of(new Box(8, 12, 40, 36, 1)),
                            AnchorMatcher.retinaNet(),
                            new BoxCoder());
            assertTrue(t.positives() > 0);
            NDArray image = m.randomUniform(0, 1, input);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray lr = m.create(0.01f);
            float first = 0;
            float last = 0;
            for (int step = 0; step < 20; step++) {
                try (NDManager s = m.newSubManager()) {
                    NDArray x = image.duplicate();
                    x.attach(s);
                    float value;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDList out = net.forward(ps, new NDList(x), true);
                        NDArray[] loss =
                                DetectionLoss.retinaNet()
                                        .compute(out.get(0), out.get(1), List.of(t, t), c);
                        NDArray total = loss[0].add(loss[1]);
                        value = total.getFloat();
                        gc.backward(total);
                    }
                    for (Pair<String, Parameter> p : net.getParameters()) {
                        NDArray w = p.getValue().getArray();
                        if (p.getValue().requiresGradient()) {
                            NDArray g = w.getGradient();
                            w.subi(g.mul(lr));
                            g.close();
                        }
                    }
                    if (step == 0) {
                        first = value;
                    }
                    last = value;
                }
            }
            assertTrue(last < 0.7f * first, "loss " + first + " -> " + last);
        }
    }
}
