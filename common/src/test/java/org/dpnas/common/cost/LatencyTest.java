package org.dpnas.common.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import java.util.stream.Stream;
import org.dpnas.common.nn.ConvBnAct;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatencyTest {

    @Test
    void percentilesInterpolateBetweenOrderStatistics() {
        double[] s = {1, 2, 3, 4, 5};
        // positions p·(n−1) = p·4: p10 -> 0.4 -> 1 + 0.4·(2 − 1) = 1.4; p50 -> 2 -> 3;
        // p90 -> 3.6 -> 4 + 0.6·(5 − 4) = 4.6
        assertEquals(1.4, LatencyMeter.percentile(s, 0.1), 1e-12);
        assertEquals(3.0, LatencyMeter.percentile(s, 0.5), 1e-12);
        assertEquals(4.6, LatencyMeter.percentile(s, 0.9), 1e-12);
        // even count: median of {10, 20, 30, 40} at position 1.5 -> 25
        assertEquals(25.0, LatencyMeter.percentile(new double[] {10, 20, 30, 40}, 0.5), 1e-12);
        assertEquals(7.0, LatencyMeter.percentile(new double[] {7}, 0.9), 0);
        assertThrows(IllegalArgumentException.class, () -> new LatencyMeter(0, 0));
    }

    @Test
    void meterTimesAConvolutionOnTheCpu() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            Block b = ConvBnAct.of(8, 3, 1);
            Shape in = new Shape(1, 4, 16, 16);
            b.initialize(m, DataType.FLOAT32, in);
            LatencyMeter.Result r = new LatencyMeter(1, 5).measure(b, m, in);
            assertTrue(r.medianMs() > 0 && Double.isFinite(r.medianMs()), r.toString());
            assertTrue(r.p10Ms() > 0 && Double.isFinite(r.p90Ms()), r.toString());
            assertEquals(5, r.runs());
            assertEquals(1, r.warmup());
            assertTrue(r.threads() >= 1, r.toString());
            assertEquals(Device.cpu().toString(), r.device());
            System.out.printf(
                    "[bench] ConvBnAct 4->8 k3 @1x4x16x16: median %.3f ms (p10 %.3f, p90 %.3f)"
                            + " at %d thread(s)%n",
                    r.medianMs(), r.p10Ms(), r.p90Ms(), r.threads());
        }
    }

    @Test
    void convKeyNamesTheConfigurationAndShape() {
        assertEquals(
                "conv k3 s1 d2 g1 cin32 cout32 @1x32x48x48",
                LatencyTable.convKey(3, 1, 2, 1, 32, 32, new Shape(1, 32, 48, 48)));
        assertEquals(
                "avgpool k3 s1 @2x8x5x7",
                LatencyTable.key(" avgpool k3 s1 ", new Shape(2, 8, 5, 7)));
    }

    @Test
    void tableRoundTripsThroughJsonAndWritesAtomically(@TempDir Path dir) throws IOException {
        LatencyTable t = new LatencyTable("cpu()", 1, "2.7.1");
        t.put("conv k3 s1 d1 g1 cin8 cout8 @1x8x16x16", 0.125);
        t.put("conv k1 s1 d1 g1 cin8 cout8 @1x8x16x16", 0.0625);
        Path file = dir.resolve("latency.json");
        Files.writeString(file, "old content");
        t.save(file);
        try (Stream<Path> files = Files.list(dir)) {
            // the temporary file was renamed over the target: nothing else is left
            assertEquals(List.of(file), files.toList());
        }
        LatencyTable back = LatencyTable.load(file);
        assertEquals("cpu()", back.device());
        assertEquals(1, back.threads());
        assertEquals("2.7.1", back.engineVersion());
        assertEquals(t.entries(), back.entries());
        assertEquals(
                OptionalDouble.of(0.125), back.lookup("conv k3 s1 d1 g1 cin8 cout8 @1x8x16x16"));
        assertEquals(OptionalDouble.empty(), back.lookup("conv k5 s1 d1 g1 cin8 cout8 @1x8x16x16"));
        assertTrue(back.matches("cpu()", 1, "2.7.1"));
        assertFalse(back.matches("cpu()", 2, "2.7.1"));
        Files.writeString(file, "{\"device\": \"cpu()\"}");
        assertThrows(IOException.class, () -> LatencyTable.load(file));
        assertThrows(IllegalArgumentException.class, () -> t.put("x", Double.NaN));
    }

    @Test
    void getOrMeasureMeasuresOnceThenLooksUp() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            LatencyTable t = LatencyTable.forDevice(Device.cpu());
            Shape in = new Shape(1, 4, 12, 12);
            String key = LatencyTable.convKey(3, 1, 1, 1, 4, 4, in);
            LatencyMeter meter = new LatencyMeter(1, 3);
            double first =
                    t.getOrMeasure(
                            key,
                            () ->
                                    Conv2d.builder()
                                            .setFilters(4)
                                            .setKernelShape(new Shape(3, 3))
                                            .optPadding(new Shape(1, 1))
                                            .build(),
                            in,
                            m,
                            meter);
            assertTrue(first > 0, "measured " + first);
            assertEquals(OptionalDouble.of(first), t.lookup(key));
            // a second call must not build the op again
            double second =
                    t.getOrMeasure(
                            key,
                            () -> {
                                throw new AssertionError("measured twice");
                            },
                            in,
                            m,
                            meter);
            assertEquals(first, second, 0);
            assertEquals(Device.cpu().toString(), t.device());
        }
    }
}
