package org.dpnas.fbnet.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dpnas.common.config.Config;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.fbnet.FbnetMethod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad configuration values are refused before anything is written, each error naming its key; the
 * dry run reports the layers, the nine choices per layer and the 9^L architectures.
 */
class FbnetConfigTest {

    private static void refused(String override, String key, Path tmp) {
        Path dir = tmp.resolve("run-" + Math.abs(override.hashCode()));
        RuntimeException e =
                assertThrows(
                        RuntimeException.class,
                        () -> {
                            Config c = FbnetSearchTest.config(FbnetSearchTest.shortTiny(override));
                            new FbnetMethod()
                                    .search(
                                            c,
                                            new RunDirectory(dir),
                                            false,
                                            List.of(),
                                            new PrintStream(PrintStream.nullOutputStream()));
                        },
                        override);
        assertTrue(e.getMessage().contains(key), override + ": " + e.getMessage());
        assertTrue(
                !Files.exists(dir.resolve("config.resolved.json")),
                override + " wrote a run before failing");
    }

    @Test
    void badValuesAreRefusedWithTheirKey(@TempDir Path tmp) {
        refused("space.output_stride=8", "space.output_stride", tmp);
        refused("space.depths=[1, 1, 1]", "space.depths", tmp);
        refused("space.width=0", "space.width", tmp);
        refused("search.gumbel.decay=1.5", "search.gumbel.decay", tmp);
        refused("search.gumbel.tau0=0", "search.gumbel.tau0", tmp);
        refused("search.split_a=1.0", "search.split_a", tmp);
        refused("search.latency_unit=\"s\"", "search.latency_unit", tmp);
        refused("search.latency_beta=-1", "search.latency_beta", tmp);
        refused("search.latency_alpha=-0.5", "search.latency_alpha", tmp);
        refused("search.cost_size=[32]", "search.cost_size", tmp);
    }

    @Test
    void aUnitTooCoarseForTheNetworkIsRefusedWithItsKey() {
        // a network whose fastest architecture takes 0.9 ms: log(LAT) < 0 in ms
        double[][] v = new double[3][9];
        for (double[] row : v) {
            java.util.Arrays.fill(row, 0.5);
            row[8] = 0.3;
        }
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> LatencyLut.check(new LatencyLut(v, "ms")));
        assertTrue(e.getMessage().contains("search.latency_unit"), e.getMessage());
        assertEquals(0.9, new LatencyLut(v, "ms").fastest(), 1e-12);
        for (double[] row : v) {
            java.util.Arrays.fill(row, 500);
        }
        assertEquals(1500, LatencyLut.check(new LatencyLut(v, "us")).fastest(), 1e-9);
    }

    @Test
    void dryRunCountsTheArchitectures(@TempDir Path tmp) throws Exception {
        Config c = FbnetSearchTest.config(FbnetSearchTest.shortTiny());
        Path json = tmp.resolve("dry.json");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new FbnetMethod().dryRun(c, new PrintStream(out, true, "UTF-8"), json);
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("9^7 = 4782969"), text);
        JsonObject o = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals(7, o.get("layers").getAsInt());
        assertEquals(9, o.get("choices_per_layer").getAsInt());
        assertEquals("4782969", o.get("architectures").getAsString());
        assertEquals(9, o.getAsJsonArray("ops").size());
        assertTrue(o.get("weights").getAsLong() > 0);
    }
}
