package org.dpnas.common.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {

    @TempDir Path dir;

    private Path file(String name, byte[] bytes) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private static String error(Path p) {
        SafeTensorsException e =
                assertThrows(
                        SafeTensorsException.class,
                        () -> {
                            try (SafeTensors st = SafeTensors.open(p)) {
                                for (String n : st.tensors().keySet()) {
                                    st.readFloats(n);
                                }
                            }
                        });
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
        return e.getMessage();
    }

    /** Written F32 reads back exactly, with metadata, in order; the header is 8-byte aligned. */
    @Test
    void writeThenReadRoundTrips() throws Exception {
        Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>();
        t.put(
                "b.weight",
                new SafeTensors.Tensor(new long[] {2, 3}, new float[] {1, -2, 3, 4, 5.5f, -0f}));
        t.put("a", new SafeTensors.Tensor(new long[] {}, new float[] {7}));
        Path p = dir.resolve("x.safetensors");
        SafeTensors.write(p, t, Map.of("format", "pt"));
        byte[] raw = Files.readAllBytes(p);
        long n = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8);
        assertEquals(8 + n + 4 * 7, raw.length);
        try (SafeTensors st = SafeTensors.open(p)) {
            assertEquals(
                    java.util.List.of("b.weight", "a"),
                    java.util.List.copyOf(st.tensors().keySet()));
            assertEquals(Map.of("format", "pt"), st.metadata());
            assertArrayEquals(new float[] {1, -2, 3, 4, 5.5f, -0f}, st.readFloats("b.weight"));
            assertArrayEquals(new long[] {2, 3}, st.info("b.weight").shape());
            assertArrayEquals(new float[] {7}, st.readFloats("a"));
            assertEquals(DType.F32, st.info("a").dtype());
        }
    }

    /**
     * Half: 0x3C00 = 1, 0xC000 = −2, 0x3555 = 0.333251953125, 0x0001 = 2^−24 (subnormal), 0x7C00 =
     * +∞. bfloat16: 0x3F80 = 1, 0xC040 = −3. F64 rounds to float; I64 is listed but not readable.
     */
    @Test
    void readsHalfBfloatAndDouble() throws Exception {
        Path p =
                file(
                        "h.safetensors",
                        new RawFile()
                                .add(
                                        "h",
                                        "F16",
                                        new long[] {5},
                                        RawFile.shorts(0x3C00, 0xC000, 0x3555, 0x0001, 0x7C00))
                                .add("b", "BF16", new long[] {2}, RawFile.shorts(0x3F80, 0xC040))
                                .add("d", "F64", new long[] {1}, RawFile.doubles(0.1))
                                .add("n", "I64", new long[] {}, RawFile.longs(5))
                                .bytes());
        try (SafeTensors st = SafeTensors.open(p)) {
            assertArrayEquals(
                    new float[] {1f, -2f, 0.333251953125f, 0x1p-24f, Float.POSITIVE_INFINITY},
                    st.readFloats("h"));
            assertArrayEquals(new float[] {1f, -3f}, st.readFloats("b"));
            assertArrayEquals(new double[] {0.1}, st.readDoubles("d"));
            assertArrayEquals(new float[] {0.1f}, st.readFloats("d"));
            SafeTensorsException e =
                    assertThrows(SafeTensorsException.class, () -> st.readFloats("n"));
            assertTrue(
                    e.getMessage().contains("tensor 'n'") && e.getMessage().contains("I64"),
                    e.getMessage());
        }
    }

    @Test
    void truncatedDataNamesTheTensor() throws Exception {
        byte[] ok =
                new RawFile().f32("a", new long[] {2}, 1, 2).f32("b", new long[] {2}, 3, 4).bytes();
        String m = error(file("t.safetensors", Arrays.copyOf(ok, ok.length - 1)));
        assertTrue(m.contains("tensor 'b'") && m.contains("out of range"), m);
    }

    @Test
    void overlappingOffsetsAreRefused() throws Exception {
        String h =
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        byte[] bytes = new RawFile().f32("x", new long[] {3}, 1, 2, 3).bytes(h);
        String m = error(file("o.safetensors", bytes));
        assertTrue(m.contains("tensor 'b'") && m.contains("overlap tensor 'a'"), m);
    }

    @Test
    void spanThatDisagreesWithShapeIsRefused() throws Exception {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}";
        String m =
                error(
                        file(
                                "s.safetensors",
                                new RawFile().f32("x", new long[] {3}, 1, 2, 3).bytes(h)));
        assertTrue(m.contains("tensor 'a'") && m.contains("needs 12"), m);
    }

    @Test
    void headerThatIsNotJsonIsRefused() throws Exception {
        String m =
                error(
                        file(
                                "j.safetensors",
                                new RawFile().f32("x", new long[] {1}, 1).bytes("{\"a\": nope}")));
        assertTrue(m.contains("not valid JSON"), m);
        m = error(file("k.safetensors", new RawFile().f32("x", new long[] {1}, 1).bytes("[1, 2]")));
        assertTrue(m.contains("not a JSON object"), m);
    }

    /** A header nested 200,000 deep is refused as JSON, not with a stack overflow. */
    @Test
    void deeplyNestedHeaderIsRefused() throws Exception {
        String h = "[".repeat(200_000);
        String m = error(file("n.safetensors", new RawFile().bytes(h)));
        assertTrue(m.contains("not valid JSON") || m.contains("not a JSON object"), m);
    }

    @Test
    void unknownDtypeIsRefused() throws Exception {
        String m =
                error(
                        file(
                                "d.safetensors",
                                new RawFile().add("w", "Q4", new long[] {4}, new byte[4]).bytes()));
        assertTrue(m.contains("tensor 'w'") && m.contains("unsupported dtype 'Q4'"), m);
    }

    /** A header length of 2^62 (or beyond the file) is refused before anything is allocated. */
    @Test
    void hugeHeaderLengthIsRefusedWithoutAllocating() throws Exception {
        byte[] b = new RawFile().f32("a", new long[] {1}, 1).bytes();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 62);
        assertTrue(error(file("u.safetensors", b)).contains("header length 4611686018427387904"));
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);
        assertTrue(error(file("v.safetensors", b)).contains("header length 18446744073709551615"));
        assertTrue(error(file("w.safetensors", new byte[5])).contains("truncated"));
        assertTrue(error(dir.resolve("missing.safetensors")).contains("no such file"));
    }

    /**
     * Fuzz: 3000 deterministic mutations of a valid file (truncation, random bytes in the header
     * and the length, random header text edits, appended bytes). Each must either read or fail with
     * the library's own exception naming the file; nothing else may escape.
     */
    @Test
    void fuzzedFilesFailCleanly() throws Exception {
        byte[] base =
                new RawFile()
                        .f32("conv.weight", new long[] {2, 1, 1, 2}, 1, 2, 3, 4)
                        .add("bn.half", "F16", new long[] {2}, RawFile.shorts(0x3C00, 0x4000))
                        .add("bn.n", "I64", new long[] {}, RawFile.longs(3))
                        .bytes();
        int headerEnd = 8 + (int) ByteBuffer.wrap(base).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Random r = new Random(42);
        int refused = 0;
        for (int i = 0; i < 3000; i++) {
            byte[] b;
            switch (i % 4) {
                case 0 -> b = Arrays.copyOf(base, r.nextInt(base.length));
                case 1 -> {
                    b = base.clone();
                    for (int k = 1 + r.nextInt(4); k > 0; k--) {
                        b[r.nextInt(headerEnd)] = (byte) r.nextInt(256);
                    }
                }
                case 2 -> {
                    b = base.clone();
                    int pos = 8 + r.nextInt(headerEnd - 8);
                    b[pos] = (byte) "{}[]\":,0123456789-e.x ".charAt(r.nextInt(22));
                }
                default -> {
                    b = Arrays.copyOf(base, base.length + 1 + r.nextInt(16));
                    ByteBuffer.wrap(b)
                            .order(ByteOrder.LITTLE_ENDIAN)
                            .putLong(0, r.nextLong() >>> r.nextInt(64));
                }
            }
            Path p = dir.resolve("fuzz-" + i + ".safetensors");
            Files.write(p, b);
            try (SafeTensors st = SafeTensors.open(p)) {
                for (TensorInfo t : st.tensors().values()) {
                    if (t.dtype().isReadableFloat()) {
                        st.readFloats(t.name());
                    }
                }
            } catch (SafeTensorsException e) {
                refused++;
                assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
            } catch (Throwable t) {
                fail("mutation " + i + " escaped with " + t, t);
            }
            Files.delete(p);
        }
        assertTrue(refused > 1500, "most mutations break the file, refused " + refused);
    }
}
