package org.dpnas.common.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Aggregating a libtorch Chrome trace: only top-level ops count, per thread. */
class OpProfileTest {

    @Test
    void nestedEventsAreNotCountedAndThreadsAreSeparate(@TempDir Path dir) throws IOException {
        Path trace = dir.resolve("t.json");
        // thread 1: conv2d [0, 10) containing convolution [1, 9); relu [10, 12); thread 2: cat
        // [5, 7) overlapping thread 1's conv2d in time but top-level on its own thread
        Files.writeString(
                trace,
                "{\"traceEvents\": ["
                        + "{\"ph\": \"X\", \"name\": \"aten::convolution\", \"tid\": 1, \"ts\": 1,"
                        + " \"dur\": 8},"
                        + "{\"ph\": \"X\", \"name\": \"aten::conv2d\", \"tid\": 1, \"ts\": 0,"
                        + " \"dur\": 10},"
                        + "{\"ph\": \"X\", \"name\": \"aten::relu\", \"tid\": 1, \"ts\": 10,"
                        + " \"dur\": 2},"
                        + "{\"ph\": \"X\", \"name\": \"aten::cat\", \"tid\": 2, \"ts\": 5,"
                        + " \"dur\": 2},"
                        + "{\"ph\": \"i\", \"name\": \"marker\", \"tid\": 1, \"ts\": 3}"
                        + "]}");
        OpProfile.Result r = OpProfile.read(trace);
        assertEquals(3, r.topLevelOps());
        assertEquals(
                List.of(
                        new OpProfile.Op("aten::conv2d", 1, 10),
                        new OpProfile.Op("aten::relu", 1, 2),
                        new OpProfile.Op("aten::cat", 1, 2)),
                r.ops().stream()
                        .sorted(
                                java.util.Comparator.comparingDouble(OpProfile.Op::micros)
                                        .reversed()
                                        .thenComparing(o -> o.name().equals("aten::cat")))
                        .toList());
    }

    @Test
    void aFileThatIsNotATraceIsRefusedNamingIt(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"other\": 1}");
        IOException e = assertThrows(IOException.class, () -> OpProfile.read(bad));
        assertEquals(true, e.getMessage().contains("bad.json"), e.getMessage());
    }
}
