package org.dpnas.cli.weights;

import static org.dpnas.cli.Cli.dpnas;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dpnas.cli.Cli.Outcome;
import org.dpnas.common.io.SafeTensors;
import org.dpnas.common.io.WeightFiles;
import org.dpnas.common.nn.backbone.Backbone;
import org.dpnas.common.nn.backbone.Backbones;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --model deeplabv3plus} with backbone weights, {@code weights export}, {@code weights
 * inspect}, {@code train --init-weights} and {@code backbone forward}, end to end on tiny synthetic
 * data.
 */
class WeightsCommandsTest {

    private static final String[] TINY = {
        "--set", "data.synthetic.height=32",
        "--set", "data.synthetic.width=32",
        "--set", "data.synthetic.train_size=8",
        "--set", "data.synthetic.val_size=4",
        "--batch-size", "4",
        "--threads", "1",
        "--device", "cpu",
        "--model", "deeplabv3plus",
        "--backbone", "resnet10",
        "--max-steps", "2",
    };

    private static String[] train(Path run, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--work-dir", run.toString()));
        a.addAll(List.of(TINY));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    /** A resnet10 backbone file as torchvision would write it (random values, our names). */
    private static Path backboneFile(Path dir) throws Exception {
        Path f = dir.resolve("resnet10.safetensors");
        Backbone b = Backbones.create("resnet10", 32, 1f);
        try (NDManager m = NDManager.newBaseManager()) {
            b.initialize(m, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            WeightFiles.save(b, f, Map.of());
        }
        return f;
    }

    private static float[] tensor(Path file, String name) throws Exception {
        try (SafeTensors st = SafeTensors.open(file)) {
            return st.readFloats(name);
        }
    }

    /**
     * A frozen backbone keeps the file's weights and BatchNorm statistics exactly through training
     * and export; at a lower learning rate (two parameter groups) they move; the exported file
     * starts a new run strictly.
     */
    @Test
    void frozenBackboneKeepsItsWeightsAndExportRoundTrips(@TempDir Path dir) throws Exception {
        Path weights = backboneFile(dir);
        Path run = dir.resolve("frozen");
        Outcome o =
                dpnas(
                        train(
                                run,
                                "--backbone-weights",
                                weights.toString(),
                                "--backbone-lr-mult",
                                "0"));
        assertEquals(0, o.code(), o.err());
        assertTrue(o.err().contains("loaded 60 tensors from " + weights), o.err());
        Path exported = dir.resolve("frozen.safetensors");
        Outcome e =
                dpnas("weights", "export", "--run", run.toString(), "--out", exported.toString());
        assertEquals(0, e.code(), e.err());
        for (String n : List.of("conv1.weight", "layer3.0.conv2.weight", "bn1.running_var")) {
            assertArrayEquals(tensor(weights, n), tensor(exported, "backbone." + n), n);
        }

        Path slow = dir.resolve("slow");
        o =
                dpnas(
                        train(
                                slow,
                                "--backbone-weights",
                                weights.toString(),
                                "--backbone-lr-mult",
                                "0.1"));
        assertEquals(0, o.code(), o.err());
        assertTrue(Files.exists(slow.resolve("checkpoints/step-00000002")));
        Path moved = dir.resolve("slow.safetensors");
        assertEquals(
                0,
                dpnas("weights", "export", "--run", slow.toString(), "--out", moved.toString())
                        .code());
        assertFalse(
                java.util.Arrays.equals(
                        tensor(weights, "conv1.weight"), tensor(moved, "backbone.conv1.weight")));

        Outcome i = dpnas("weights", "inspect", exported.toString());
        assertEquals(0, i.code(), i.err());
        assertTrue(
                i.out()
                        .matches(
                                "(?s).*\\nbackbone\\.layer1\\.0\\.bn1\\.running_mean +F32 +\\(64\\)\\n.*"),
                i.out());
        assertTrue(i.out().contains("metadata dpnas_model = deeplabv3plus"), i.out());
        assertTrue(i.out().matches("(?s).*\\d+ tensors, [\\d,]+ parameters in total.*"), i.out());

        Outcome again = dpnas(train(dir.resolve("again"), "--init-weights", exported.toString()));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("from " + exported), again.err());
    }

    /** Refusals name the file and the tensor; --strict false loads what matches. */
    @Test
    void mismatchedWeightsAreRefusedOrReportedWithStrictFalse(@TempDir Path dir) throws Exception {
        Path weights = backboneFile(dir);
        Outcome o = dpnas(train(dir.resolve("r"), "--init-weights", weights.toString()));
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains(weights.toString()), o.err());
        assertTrue(o.err().contains("missing from the file"), o.err());
        assertTrue(o.err().contains("unexpected in the file (60): conv1.weight"), o.err());

        Outcome lax =
                dpnas(
                        train(
                                dir.resolve("s"),
                                "--backbone",
                                "resnet18",
                                "--backbone-weights",
                                weights.toString(),
                                "--strict",
                                "false"));
        assertEquals(0, lax.code(), lax.err());
        assertTrue(lax.err().contains("missing from the file"), lax.err());

        Path none = dir.resolve("none");
        Outcome missing =
                dpnas(
                        train(
                                none,
                                "--backbone-weights",
                                dir.resolve("nope.safetensors").toString()));
        assertEquals(2, missing.code());
        assertTrue(
                missing.err().contains("nope.safetensors (model.backbone_weights) not found"),
                missing.err());
        assertFalse(Files.exists(none.resolve("config.resolved.json")), "nothing written");
        Outcome notDeeplab =
                dpnas(
                        "train",
                        "--work-dir",
                        dir.resolve("b").toString(),
                        "--backbone-lr-mult",
                        "0.5",
                        "--max-steps",
                        "1");
        assertEquals(2, notDeeplab.code());
        assertTrue(notDeeplab.err().contains("need a model with a backbone"), notDeeplab.err());

        Path broken = dir.resolve("broken.safetensors");
        byte[] b = Files.readAllBytes(weights);
        Files.write(broken, java.util.Arrays.copyOf(b, b.length - 100));
        Outcome bad = dpnas("weights", "inspect", broken.toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains(broken + ": tensor '"), bad.err());
        assertTrue(bad.err().contains("out of range"), bad.err());
    }

    /** backbone forward writes every tap, float32, with the shapes of the strides. */
    @Test
    void backboneForwardWritesTheTaps(@TempDir Path dir) throws Exception {
        Path weights = backboneFile(dir);
        Path x = dir.resolve("x.safetensors");
        float[] v = new float[2 * 3 * 32 * 48];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i % 17) / 17f - 0.5f;
        }
        SafeTensors.write(
                x, Map.of("input", new SafeTensors.Tensor(new long[] {2, 3, 32, 48}, v)), Map.of());
        Path y = dir.resolve("y.safetensors");
        Outcome o =
                dpnas(
                        "backbone",
                        "forward",
                        "--arch",
                        "resnet10",
                        "--weights",
                        weights.toString(),
                        "--input",
                        x.toString(),
                        "--out",
                        y.toString(),
                        "--output-stride",
                        "8");
        assertEquals(0, o.code(), o.err());
        try (SafeTensors st = SafeTensors.open(y)) {
            assertEquals(
                    List.of("stem", "layer1", "layer2", "layer3", "layer4"),
                    List.copyOf(st.tensors().keySet()));
            assertArrayEquals(new long[] {2, 64, 8, 12}, st.info("stem").shape());
            assertArrayEquals(new long[] {2, 128, 4, 6}, st.info("layer2").shape());
            assertArrayEquals(new long[] {2, 512, 4, 6}, st.info("layer4").shape());
        }
        Outcome wrongArch =
                dpnas(
                        "backbone",
                        "forward",
                        "--arch",
                        "resnet18",
                        "--weights",
                        weights.toString(),
                        "--input",
                        x.toString(),
                        "--out",
                        y.toString());
        assertEquals(1, wrongArch.code());
        assertTrue(
                wrongArch.err().contains("missing from the file (40): layer1.1.conv1.weight"),
                wrongArch.err());
    }
}
