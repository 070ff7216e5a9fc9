package org.dpnas.fastdensenas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.data.SegSample;
import org.dpnas.common.nn.Resize;
import org.dpnas.common.search.Evaluator;
import org.dpnas.common.train.Constants;
import org.dpnas.common.train.Losses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The child evaluation's pieces: the loss by hand, the cache's memory bound, and a child that is
 * cut off after its early-stop decision and runs again (same result, the rule moved once).
 */
class ChildEvaluatorTest {

    @Test
    void lossIsCrossEntropyPlusWeightedAuxiliaryAndDistillationTerms() {
        try (NDManager m = NDManager.newBaseManager();
                Constants c = new Constants(m)) {
            // 3 classes, zero logits: each cross-entropy is ln 3; the main logits (2×2) are
            // resized to the 4×4 labels; distillation target 1 everywhere: MSE = 1
            NDArray labels = m.zeros(new Shape(1, 4, 4), DataType.INT64);
            NDList out =
                    new NDList(
                            m.zeros(new Shape(1, 3, 2, 2)),
                            m.zeros(new Shape(1, 3, 4, 4)),
                            m.zeros(new Shape(1, 3, 1, 1)));
            NDArray kd = m.ones(new Shape(1, 3, 4, 4));
            double ln3 = Math.log(3);
            assertEquals(
                    ln3 + 2 * 0.15 * ln3 + 0.3,
                    ChildEvaluator.loss(out, labels, kd, 0.3f, 0.15f, c).getFloat(),
                    1e-5);
            assertEquals(ln3, ChildEvaluator.loss(out, labels, null, 0.3f, 0f, c).getFloat(), 1e-5);
        }
    }

    @Test
    void auxiliaryTermsScoredTogetherEqualTheSumOfTheirCrossEntropies() {
        // aux outputs of two sizes (two at 2×2, one at 4×4 between them), labels with ignored
        // pixels: the stacked scoring gives Σ 0.15·CE_i and the same gradients, in float64
        try (NDManager m = NDManager.newBaseManager();
                Constants c = new Constants(m)) {
            Shape[] shapes = {
                new Shape(2, 3, 2, 2),
                new Shape(2, 3, 2, 2),
                new Shape(2, 3, 4, 4),
                new Shape(2, 3, 2, 2)
            };
            NDList out = new NDList();
            NDList ref = new NDList(); // the same values, their own gradients
            for (int i = 0; i < shapes.length; i++) {
                NDArray x =
                        m.arange(0, (int) shapes[i].size(), 1, DataType.FLOAT64)
                                .mul(0.7 + i)
                                .sin()
                                .mul(3)
                                .reshape(shapes[i]);
                NDArray y = x.duplicate();
                x.setRequiresGradient(true);
                y.setRequiresGradient(true);
                out.add(x);
                ref.add(y);
            }
            NDArray labels =
                    m.create(new long[] {0, 1, 2, 255, 2, 2, 1, 0, 255, 255, 1, 1, 0, 2, 1, 0})
                            .tile(new long[] {2})
                            .reshape(2, 4, 4);
            NDArray kd = m.arange(0, 96, 1, DataType.FLOAT64).div(50).reshape(2, 3, 4, 4);
            double got;
            double want;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray l = ChildEvaluator.loss(out, labels, kd, 0.3f, 0.15f, c);
                got = l.getDouble();
                gc.backward(l);
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray main = Resize.bilinear(ref.get(0), 4, 4);
                NDArray l = Losses.crossEntropy(main, labels, 255, c);
                l = l.add(main.sub(kd).square().mean().mul(0.3f));
                for (int i = 1; i < out.size(); i++) {
                    NDArray a = Resize.bilinear(ref.get(i), 4, 4);
                    l = l.add(Losses.crossEntropy(a, labels, 255, c).mul(0.15f));
                }
                want = l.getDouble();
                gc.backward(l);
            }
            assertEquals(want, got, 1e-12 * Math.abs(want));
            for (int i = 0; i < out.size(); i++) {
                double d =
                        out.get(i)
                                .getGradient()
                                .sub(ref.get(i).getGradient())
                                .abs()
                                .max()
                                .getDouble();
                assertTrue(d < 1e-12, "output " + i + " gradient differs by " + d);
            }
        }
    }

    /** Three 256×256 samples of random pixels, labels 0/1. */
    static SegDataset big() {
        List<SegSample> s = new ArrayList<>();
        Random r = new Random(1);
        for (int i = 0; i < 3; i++) {
            byte[] rgb = new byte[256 * 256 * 3];
            byte[] label = new byte[256 * 256];
            r.nextBytes(rgb);
            for (int p = 0; p < label.length; p++) {
                label[p] = (byte) r.nextInt(2);
            }
            s.add(new SegSample("s" + i, 256, 256, rgb, label));
        }
        return new SegDataset() {
            @Override
            public int size() {
                return s.size();
            }

            @Override
            public SegSample get(int index) {
                return s.get(index);
            }

            @Override
            public List<String> classNames() {
                return List.of("a", "b");
            }
        };
    }

    @Test
    void cacheKeepsWhatFitsItsBoundAndSaysSo() {
        // one 256×256 sample: 24·64² + 32·32² + 96·16² + 320·8² floats + 64² int64 labels
        long bytes = 4L * (24 * 64 * 64 + 32 * 32 * 32 + 96 * 16 * 16 + 320 * 8 * 8) + 8L * 64 * 64;
        assertTrue(bytes < (1 << 20) && 2 * bytes > (1 << 20));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (NDManager m = NDManager.newBaseManager()) {
            FdnEncoder enc = new FdnEncoder(1f);
            enc.initialize(m, DataType.FLOAT32, new Shape(1, 3, 256, 256));
            float[] mean = {0.5f, 0.5f, 0.5f};
            try (StageOneCache cache =
                    StageOneCache.build(
                            enc,
                            null,
                            big(),
                            mean,
                            mean,
                            3,
                            1,
                            2,
                            m,
                            new PrintStream(log, true, StandardCharsets.UTF_8))) {
                assertEquals(1, cache.size());
                assertEquals(new Shape(24, 64, 64), cache.tapShape(0));
                assertEquals(new Shape(320, 8, 8), cache.tapShape(3));
                try (NDManager sm = m.newSubManager()) {
                    NDList b = cache.batch(new int[] {0, 0}, sm);
                    assertEquals(new Shape(2, 64, 64), b.get(4).getShape());
                }
            }
        }
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("keeping the first 1"), text);
        assertTrue(text.contains("search.stage1_cache_mib = 1"), text);
    }

    @Test
    void childCutOffAfterItsDecisionRunsAgainToTheSameResult(@TempDir Path tmp) throws Exception {
        var c = FdnSearchTest.config(FdnSearchTest.shortTiny("search.early_stop_average=0"));
        DecoderGenotype g = DecoderSpace.paper().sample(new Random(3));
        Path child = tmp.resolve("trials/trial-0000");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (ChildEvaluator ev =
                new ChildEvaluator(c, new PrintStream(log, true, StandardCharsets.UTF_8))) {
            Evaluator.Result first = ev.evaluate(g, child);
            assertEquals(2.0, first.metrics().get("stage"));
            String rule = Files.readString(tmp.resolve("search/early-stop.json"));
            // cut off during stage 2: the result is gone, stage 1 is kept
            Files.delete(child.resolve("result.json"));
            Evaluator.Result again = ev.evaluate(g, child);
            assertEquals(first.score(), again.score());
            assertEquals(rule, Files.readString(tmp.resolve("search/early-stop.json")));
            // cut off after the decision, before stage1.json: decided again from the file
            Files.delete(child.resolve("result.json"));
            Files.delete(child.resolve("stage1.json"));
            Evaluator.Result third = ev.evaluate(g, child);
            assertEquals(first.score(), third.score());
            JsonObject rule3 =
                    JsonParser.parseString(Files.readString(tmp.resolve("search/early-stop.json")))
                            .getAsJsonObject();
            assertEquals(1, rule3.getAsJsonObject("rule").get("steps").getAsLong());
            assertEquals(JsonParser.parseString(rule), rule3);
        }
    }

    @Test
    void badSettingsAreRefusedNamingTheKey() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                FdnSettings.of(
                                        FdnSearchTest.config(
                                                FdnSearchTest.shortTiny(
                                                        "model.encoder_weights=\"/no/such.st\""))));
        assertTrue(e.getMessage().contains("model.encoder_weights"), e.getMessage());
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                FdnSettings.of(
                                        FdnSearchTest.config(
                                                FdnSearchTest.shortTiny(
                                                        "search.stage1_crop=[32]"))));
        assertTrue(e.getMessage().contains("search.stage1_crop"), e.getMessage());
    }
}
