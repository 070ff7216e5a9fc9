package org.dpnas.common.nn.backbone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.types.Shape;
import org.dpnas.common.cost.CostCounter;
import org.dpnas.common.cost.CostReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Costs and strides of the backbones, without running them. */
class BackboneCostTest {

    /**
     * Convolution multiply-adds at 1×3×224×224 equal torchvision's, counted in PyTorch with forward
     * hooks (Σ output elements × in/groups × kh × kw); trainable parameters are torchvision's
     * totals minus the classification head (e.g. ResNet-50 25,557,032 − 2,049,000).
     */
    @ParameterizedTest
    @CsvSource({
        "resnet18, 32, 1813561344, 11176512",
        "resnet50, 32, 4087136256, 23508032",
        "resnet50, 8, 19077316608, 23508032",
        "mobilenet_v2, 32, 299494272, 2223872"
    })
    void macsAndParamsMatchTorchvision(String arch, int os, long macs, long params) {
        CostReport c = CostCounter.of(Backbones.create(arch, os, 1f), new Shape(1, 3, 224, 224));
        assertEquals(macs, c.convLinearMacs());
        assertEquals(params, c.params());
        assertEquals(java.util.List.of(), c.warnings());
    }

    @Test
    void tapStridesFollowTheOutputStride() {
        assertArrayEquals(
                new int[] {4, 4, 8, 16, 32}, Backbones.create("resnet50", 32, 1f).tapStrides());
        assertArrayEquals(
                new int[] {4, 4, 8, 16, 16}, Backbones.create("resnet50", 16, 1f).tapStrides());
        assertArrayEquals(
                new int[] {4, 4, 8, 8, 8}, Backbones.create("resnet18", 8, 1f).tapStrides());
        int[] m = Backbones.create("mobilenet_v2", 8, 1f).tapStrides();
        assertEquals(19, m.length);
        assertArrayEquals(new int[] {2, 2, 4, 4, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8}, m);
        Shape[] s =
                Backbones.create("mobilenet_v2", 16, 1f)
                        .getOutputShapes(new Shape[] {new Shape(1, 3, 64, 96)});
        assertEquals(new Shape(1, 1280, 4, 6), s[18]);
        assertEquals(new Shape(1, 24, 16, 24), s[3]);
    }

    /**
     * torchvision's _make_divisible: 32·0.25 = 8, 16·0.35 = 5.6 → 8, 24·1.4 = 33.6 → 32, 96·0.75 =
     * 72.
     */
    @Test
    void widthRoundingIsTorchvisions() {
        assertEquals(8, MobileNetV2.makeDivisible(32 * 0.25));
        assertEquals(8, MobileNetV2.makeDivisible(16 * 0.35));
        assertEquals(32, MobileNetV2.makeDivisible(24 * 1.4));
        assertEquals(72, MobileNetV2.makeDivisible(96 * 0.75));
        assertEquals(16, MobileNetV2.makeDivisible(17.0)); // 16 ≥ 0.9·17 = 15.3
        assertEquals(24, MobileNetV2.makeDivisible(19.5)); // 16 < 0.9·19.5, one more step
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Backbones.create("resnet51", 32, 1f));
        assertThrows(IllegalArgumentException.class, () -> Backbones.create("resnet50", 4, 1f));
        assertThrows(IllegalArgumentException.class, () -> Backbones.create("resnet50", 32, 0.5f));
        assertThrows(
                IllegalArgumentException.class, () -> Backbones.create("mobilenet_v2", 32, 0f));
    }
}
