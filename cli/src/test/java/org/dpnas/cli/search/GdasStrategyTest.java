package org.dpnas.cli.search;

import static org.dpnas.cli.Cli.dpnas;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.cli.Cli.Outcome;
import org.dpnas.common.run.MetricsLog;
import org.dpnas.common.testing.OneShotRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --strategy gdas} on both DARTS-cell spaces through the shared one-shot job: the
 * temperature is logged per step, a search killed after a checkpoint resumes to the same files as
 * an uninterrupted one (the sampler's stream is in the checkpoint), and an unknown strategy is a
 * usage error (exit 2, no run directory).
 */
class GdasStrategyTest {

    private static String[] autodeeplab(Path workDir, String... extra) {
        return autodeeplabWith("gdas", workDir, extra);
    }

    private static String[] autodeeplabWith(String strategy, Path workDir, String... extra) {
        List<String> a =
                new ArrayList<>(List.of("search", "autodeeplab", "--work-dir", workDir.toString()));
        a.addAll(
                List.of(
                        "--set", "space.layers=3",
                        "--set", "space.filter_multiplier=2",
                        "--set", "space.blocks=2",
                        "--set", "data.synthetic.train_size=8",
                        "--set", "data.synthetic.val_size=4",
                        "--set", "data.synthetic.height=16",
                        "--set", "data.synthetic.width=16",
                        "--set", "search.log_every=1",
                        "--batch-size", "2",
                        "--epochs", "3",
                        "--arch-start-epoch", "1",
                        "--checkpoint-every", "2",
                        "--threads", "1",
                        "--device", "cpu",
                        "--strategy", strategy));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    @Test
    void gdasSearchLogsItsTemperatureAndResumesExactly(@TempDir Path dir) throws Exception {
        Path straight = dir.resolve("straight");
        Outcome o = dpnas(autodeeplab(straight));
        assertEquals(0, o.code(), o.err());
        List<JsonObject> log = MetricsLog.read(straight.resolve("metrics.jsonl"));
        // 3 epochs of 2 steps: τ = 10, 5.05, 0.1 (linear per epoch)
        List<Double> taus = new ArrayList<>();
        for (JsonObject r : log) {
            if (r.has("tau")) {
                taus.add(r.get("tau").getAsDouble());
            }
        }
        double[] expected = {10.0, 10.0, 5.05, 5.05, 0.1, 0.1};
        assertEquals(expected.length, taus.size(), taus.toString());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], taus.get(i), 1e-12, "tau of step " + (i + 1));
        }
        assertTrue(Files.exists(straight.resolve("best/genotype.json")));
        assertTrue(Files.exists(straight.resolve("last/genotype.json")));

        Path crashed = dir.resolve("crashed");
        assertEquals(0, dpnas(autodeeplab(crashed)).code());
        OneShotRuns.dropCheckpointsAfter(crashed, 2);
        Outcome resumed =
                dpnas("search", "autodeeplab", "--work-dir", crashed.toString(), "--resume");
        assertEquals(0, resumed.code(), resumed.err());
        OneShotRuns.assertSameRun(straight, crashed, 6);

        // the bilevel search on the same settings is a different computation
        Path bilevel = dir.resolve("bilevel");
        assertEquals(0, dpnas(autodeeplabWith("bilevel", bilevel)).code());
        assertNotEquals(
                Files.readString(straight.resolve("metrics.jsonl")),
                Files.readString(bilevel.resolve("metrics.jsonl")));
    }

    @Test
    void casTakesTheSameStrategyAndAnUnknownOneIsRefused(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("cas");
        Outcome o =
                dpnas(
                        "search", "cas",
                        "--work-dir", run.toString(),
                        "--strategy", "gdas",
                        "--set", "space.channels=4",
                        "--set", "space.layers=2",
                        "--set", "space.blocks=2",
                        "--set", "space.ms_channels=8",
                        "--set", "data.synthetic.train_size=8",
                        "--set", "data.synthetic.val_size=4",
                        "--set", "data.synthetic.height=16",
                        "--set", "data.synthetic.width=16",
                        "--set", "search.backbone_epochs=1",
                        "--set", "search.multiscale_epochs=1",
                        "--set", "search.arch_start_epoch=0",
                        "--set", "search.cost=\"macs\"",
                        "--set", "search.log_every=1",
                        "--threads", "1");
        assertEquals(0, o.code(), o.err());
        String metrics = Files.readString(run.resolve("metrics.jsonl"));
        assertTrue(metrics.contains("\"tau\":10.0"), metrics);
        assertTrue(metrics.contains("\"tau\":0.1"), metrics);
        assertTrue(Files.exists(run.resolve("best/genotype.json")));

        Outcome bad = dpnas(autodeeplabWith("darts2", dir.resolve("bad")));
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("--strategy darts2"), bad.err());
        assertTrue(bad.err().contains("bilevel or gdas"), bad.err());
        assertTrue(!Files.exists(dir.resolve("bad")), "a usage error creates no run directory");
    }
}
