package org.dpnas.cli.search;

import static org.dpnas.cli.Cli.dpnas;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dpnas.cli.Cli.Outcome;
import org.dpnas.common.run.MetricsLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generic multi-trial options of {@code dpnas search METHOD}: the MnasNet reward on random
 * search over the Auto-DeepLab space, and strategies or terms a space cannot take refused.
 */
class StrategiesCliTest {

    /** Each child's latency is measured and its score is metric × (LAT / T)^−0.07. */
    @Test
    void mnasRewardScoresEveryChild(@TempDir Path dir) throws Exception {
        Path w = dir.resolve("mnas");
        Outcome o =
                dpnas(
                        SearchAutoDeepLabCommandTest.search(
                                w,
                                "--strategy",
                                "random",
                                "--trials",
                                "1",
                                "--trial-steps",
                                "1",
                                "--set",
                                "search.reward=mnas",
                                "--set",
                                "search.mnas.target_ms=2.5",
                                "--set",
                                "search.mnas.input_size=[16,16]",
                                "--set",
                                "search.mnas.runs=2"));
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("random search: 1 trials"), o.out());
        assertTrue(o.out().contains(", reward "), o.out());
        List<JsonObject> h = MetricsLog.read(w.resolve("search/history.jsonl"));
        JsonObject m = h.get(0).getAsJsonObject("metrics");
        double lat = m.get("latency_ms").getAsDouble();
        double metric = m.get("metric").getAsDouble();
        assertTrue(lat > 0);
        assertEquals(metric, m.get("mIoU").getAsDouble(), 0);
        assertEquals(
                metric * Math.pow(lat / 2.5, -0.07), h.get(0).get("score").getAsDouble(), 1e-12);
        assertTrue(Files.exists(w.resolve("trials/trial-0000/latency.json")));
        String resolved = Files.readString(w.resolve("config.resolved.json"));
        assertTrue(resolved.contains("\"renas\""), "the multi-trial defaults are recorded");
    }

    @Test
    void strategiesThatNeedDecisionsAreRefusedOnACellSpace(@TempDir Path dir) {
        Outcome o =
                dpnas(
                        SearchAutoDeepLabCommandTest.search(
                                dir.resolve("r"), "--strategy", "renas", "--trials", "1"));
        assertEquals(2, o.code(), o.out());
        assertTrue(o.err().contains("--strategy renas needs a space of categorical"), o.err());
        assertFalse(Files.exists(dir.resolve("r/search/history.jsonl")));
    }

    @Test
    void badRewardSettingsNameTheKey(@TempDir Path dir) {
        Outcome o =
                dpnas(
                        SearchAutoDeepLabCommandTest.search(
                                dir.resolve("m"),
                                "--strategy",
                                "random",
                                "--trials",
                                "1",
                                "--set",
                                "search.reward=mnas"));
        assertEquals(2, o.code(), o.out());
        assertTrue(o.err().contains("search.mnas.target_ms"), o.err());
        Outcome i =
                dpnas(
                        SearchAutoDeepLabCommandTest.search(
                                dir.resolve("i"),
                                "--strategy",
                                "random",
                                "--trials",
                                "1",
                                "--set",
                                "search.irlas.weight=0.5"));
        assertEquals(2, i.code(), i.out());
        assertTrue(i.err().contains("search.irlas.weight"), i.err());
    }

    /**
     * A child whose run directory names a parent ({@code parent.json}, as RENAS writes it) tries to
     * start from the parent's trained weights: here a random child handed the first trial as its
     * parent. The parent's weights are exported by PyTorch name, and the child loads them where its
     * own network has the same names and shapes (the other names are listed in a warning) and
     * trains (the loading itself is tested in {@code InheritedWeightsTest}). Until repeated sibling
     * names were indexed ({@code TorchNames}), the Auto-DeepLab network could not be exported and
     * its children trained from scratch.
     */
    @Test
    void aChildWithAParentTriesToInheritItsWeights(@TempDir Path dir) throws Exception {
        Path w = dir.resolve("inherit");
        Outcome a =
                dpnas(
                        SearchAutoDeepLabCommandTest.search(
                                w, "--strategy", "random", "--trials", "1", "--trial-steps", "1"));
        assertEquals(0, a.code(), a.err());
        Path child = w.resolve("trials/trial-0001");
        Files.createDirectories(child);
        Path parent = w.resolve("trials/trial-0000").toAbsolutePath();
        Files.writeString(child.resolve("parent.json"), "{\"parent_dir\":\"" + parent + "\"}\n");
        Outcome b =
                dpnas(
                        "search",
                        "autodeeplab",
                        "--work-dir",
                        w.toString(),
                        "--resume",
                        "--strategy",
                        "random",
                        "--trials",
                        "2",
                        "--trial-steps",
                        "1");
        assertEquals(0, b.code(), b.err());
        assertTrue(b.err().contains("inherits the weights of " + parent), b.err());
        assertFalse(b.err().contains("cannot inherit"), b.err());
        assertTrue(Files.exists(child.resolve("inherited.safetensors")));
        assertTrue(Files.exists(child.resolve("final_metrics.json")));
    }
}
