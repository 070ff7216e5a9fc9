package org.dpnas.common.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dpnas.common.nn.backbone.ConvNormAct;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading a block from a torch-style state_dict file and saving it back. */
class WeightFilesTest {

    @TempDir Path dir;

    private static final long[] W = {2, 1, 1, 1};
    private static final long[] C = {2};

    /** A ConvNormAct(2 channels, 1×1) has torch names 0.weight, 1.weight/bias/running_*. */
    private static RawFile stateDict() {
        return new RawFile()
                .f32("0.weight", W, 0.5f, -1f)
                .f32("1.weight", C, 2f, 3f)
                .f32("1.bias", C, 0.1f, 0.2f)
                .f32("1.running_mean", C, -1f, 1f)
                .f32("1.running_var", C, 4f, 9f)
                .add("1.num_batches_tracked", "I64", new long[] {}, RawFile.longs(17))
                .f32("fc.weight", new long[] {1, 2}, 1f, 1f);
    }

    private Path write(String name, RawFile f) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, f.bytes());
        return p;
    }

    private static ConvNormAct block(NDManager m) {
        ConvNormAct b = new ConvNormAct(2, 1, 1, 1, 1, ConvNormAct.Act.NONE);
        b.initialize(m, DataType.FLOAT32, new Shape(1, 1, 2, 2));
        return b;
    }

    private static float[] value(ConvNormAct b, String name) {
        return TorchNames.of(b).get(name).getArray().toFloatArray();
    }

    @Test
    void loadsTorchNamesIgnoringCounterAndHead() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNormAct b = block(m);
            WeightFiles.LoadReport r =
                    WeightFiles.load(b, write("a.safetensors", stateDict()), true, Set.of("fc."));
            assertTrue(r.complete());
            assertEquals(List.of("1.num_batches_tracked", "fc.weight"), r.ignored());
            assertArrayEquals(new float[] {0.5f, -1f}, value(b, "0.weight"));
            assertArrayEquals(new float[] {4f, 9f}, value(b, "1.running_var"));
            assertArrayEquals(new float[] {-1f, 1f}, value(b, "1.running_mean"));
            assertArrayEquals(new float[] {0.1f, 0.2f}, value(b, "1.bias"));
        }
    }

    @Test
    void strictRefusesMissingAndUnexpectedListingThemAndChangesNothing() throws Exception {
        RawFile f =
                new RawFile()
                        .f32("0.weight", W, 0.5f, -1f)
                        .f32("1.weight", C, 2f, 3f)
                        .f32("extra.thing", C, 1f, 1f);
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNormAct b = block(m);
            float[] before = value(b, "0.weight");
            Path p = write("m.safetensors", f);
            SafeTensorsException e =
                    assertThrows(
                            SafeTensorsException.class,
                            () -> WeightFiles.load(b, p, true, Set.of()));
            String msg = e.getMessage();
            assertTrue(msg.startsWith(p.toString()), msg);
            assertTrue(
                    msg.contains(
                            "missing from the file (3): 1.bias, 1.running_mean, 1.running_var"),
                    msg);
            assertTrue(msg.contains("unexpected in the file (1): extra.thing"), msg);
            assertArrayEquals(before, value(b, "0.weight"));

            WeightFiles.LoadReport r = WeightFiles.load(b, p, false, Set.of());
            assertEquals(List.of("0.weight", "1.weight"), r.loaded());
            assertEquals(List.of("extra.thing"), r.unexpected());
            assertArrayEquals(new float[] {0.5f, -1f}, value(b, "0.weight"));
        }
    }

    @Test
    void shapeMismatchNamesTensorAndBothShapes() throws Exception {
        RawFile f = stateDict().f32("x", C, 0, 0);
        RawFile bad =
                new RawFile()
                        .f32("0.weight", new long[] {1, 2, 1, 1}, 0.5f, -1f)
                        .f32("1.weight", C, 2f, 3f)
                        .f32("1.bias", C, 0.1f, 0.2f)
                        .f32("1.running_mean", C, -1f, 1f)
                        .f32("1.running_var", C, 4f, 9f);
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNormAct b = block(m);
            Path p = write("s.safetensors", bad);
            String msg =
                    assertThrows(
                                    SafeTensorsException.class,
                                    () -> WeightFiles.load(b, p, true, Set.of()))
                            .getMessage();
            assertTrue(
                    msg.contains("tensor '0.weight'")
                            && msg.contains("file has (1, 2, 1, 1)")
                            && msg.contains("parameter has (2, 1, 1, 1)"),
                    msg);
            WeightFiles.LoadReport r = WeightFiles.load(b, p, false, Set.of());
            assertEquals(1, r.mismatched().size());
            assertEquals(4, r.loaded().size());
            assertTrue(f.bytes().length > 0);
        }
    }

    /** save writes every parameter under its torch name; loading it back restores the values. */
    @Test
    void saveWritesTorchNamesThatLoadBack() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            ConvNormAct a = block(m);
            WeightFiles.load(a, write("a.safetensors", stateDict()), true, Set.of("fc."));
            Path out = dir.resolve("out.safetensors");
            assertEquals(10, WeightFiles.save(a, out, Map.of("arch", "test")));
            try (SafeTensors st = SafeTensors.open(out)) {
                assertEquals(
                        List.of(
                                "0.weight",
                                "1.weight",
                                "1.bias",
                                "1.running_mean",
                                "1.running_var"),
                        List.copyOf(st.tensors().keySet()));
                assertEquals("test", st.metadata().get("arch"));
            }
            ConvNormAct b = block(m);
            WeightFiles.load(b, out, true, Set.of());
            for (Map.Entry<String, Parameter> e : TorchNames.of(a).entrySet()) {
                assertArrayEquals(e.getValue().getArray().toFloatArray(), value(b, e.getKey()));
            }
        }
    }
}
