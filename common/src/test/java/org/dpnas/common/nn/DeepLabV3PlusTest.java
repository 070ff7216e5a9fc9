package org.dpnas.common.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.List;
import org.dpnas.common.cost.CostCounter;
import org.dpnas.common.cost.CostReport;
import org.dpnas.common.cost.OpType;
import org.dpnas.common.io.WeightFiles;
import org.dpnas.common.nn.backbone.Backbone;
import org.dpnas.common.nn.backbone.Backbones;
import org.dpnas.common.train.ParamIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeepLabV3PlusTest {

    /** Logits at the input size for both backbones and strides; the cost counts every block. */
    @Test
    void logitsHaveTheInputSizeAndCostIsComplete() {
        for (String arch : List.of("mobilenet_v2", "resnet10")) {
            for (int os : new int[] {8, 16}) {
                DeepLabV3Plus net = new DeepLabV3Plus(arch, os, 5);
                Shape in = new Shape(2, 3, 48, 64);
                CostReport c = CostCounter.of(net, in);
                assertEquals(List.of(), c.warnings(), arch);
                try (NDManager m = NDManager.newBaseManager()) {
                    net.initialize(m, DataType.FLOAT32, in);
                    NDArray y =
                            net.forward(new ParameterStore(m, false), new NDList(m.ones(in)), false)
                                    .head();
                    assertEquals(new Shape(2, 5, 48, 64), y.getShape());
                    long trainable = 0;
                    for (var p : ParamIO.trainable(net)) {
                        trainable += p.getArray().size();
                    }
                    assertEquals(trainable, c.params(), arch);
                }
                // decoder: 1×1 reduce to 48 at stride 4 = 2·48·12·16·C_low MACs among the convs
                assertEquals(true, c.macs(OpType.CONV) > 0);
            }
        }
    }

    /**
     * The MobileNet-v2 encoder stops at features.17 (320 channels); a full torchvision file loads
     * strictly, features.18 and the classifier skipped.
     */
    @Test
    void mobileNetEncoderLoadsAFullFileSkippingTheLastConv(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("mnv2.safetensors");
        DeepLabV3Plus net = new DeepLabV3Plus("mobilenet_v2", 16, 3);
        Shape in = new Shape(1, 3, 32, 32);
        try (NDManager m = NDManager.newBaseManager()) {
            Backbone full = Backbones.create("mobilenet_v2", 16, 1f);
            full.initialize(m, DataType.FLOAT32, in);
            WeightFiles.save(full, f, java.util.Map.of());
            net.initialize(m, DataType.FLOAT32, in);
            assertEquals(18, net.backbone().tapNames().size());
            assertEquals(320, net.backbone().tapChannels()[17]);
            WeightFiles.LoadReport r =
                    WeightFiles.load(net.backbone(), f, true, net.backbone().ignoredPrefixes());
            assertEquals(
                    List.of(
                            "features.18.0.weight",
                            "features.18.1.weight",
                            "features.18.1.bias",
                            "features.18.1.running_mean",
                            "features.18.1.running_var"),
                    r.ignored());
        }
    }

    /** ASPP rates 6/12/18 at stride 16 and 12/24/36 at 8: visible as the 3×3 branch dilations. */
    @Test
    void asppRatesDoubleAtStride8() {
        assertEquals("[6, 12, 18]", rates(new DeepLabV3Plus("resnet10", 16, 3)));
        assertEquals("[12, 24, 36]", rates(new DeepLabV3Plus("resnet10", 8, 3)));
        assertThrows(IllegalArgumentException.class, () -> new DeepLabV3Plus("resnet10", 32, 3));
    }

    private static String rates(DeepLabV3Plus net) {
        List<Long> r = new java.util.ArrayList<>();
        var aspp = net.getChildren().get("02aspp");
        for (var b : aspp.getChildren().values()) {
            for (var c : b.getChildren().values()) {
                if (c instanceof ai.djl.nn.convolutional.Conv2d conv
                        && conv.getKernelShape().get(0) == 3) {
                    r.add(conv.getDilation().get(0));
                }
            }
        }
        return r.toString();
    }
}
