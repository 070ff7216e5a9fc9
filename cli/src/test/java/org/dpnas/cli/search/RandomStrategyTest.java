package org.dpnas.cli.search;

import static org.dpnas.cli.Cli.dpnas;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dpnas.cli.Cli.Outcome;
import org.dpnas.common.run.MetricsLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dpnas search METHOD --strategy random}: trials, history, best, resume. */
class RandomStrategyTest {

    @Test
    void trainsSampledChildrenAndResumesWithoutRerunningThem(@TempDir Path dir) throws Exception {
        Path w = dir.resolve("random");
        String[] first =
                SearchAutoDeepLabCommandTest.search(
                        w, "--strategy", "random", "--trials", "1", "--trial-steps", "2");
        Outcome a = dpnas(first);
        assertEquals(0, a.code(), a.err());
        assertTrue(a.out().contains("random search: 1 trials"), a.out());
        Path history = w.resolve("search/history.jsonl");
        List<JsonObject> h1 = MetricsLog.read(history);
        assertEquals(1, h1.size());
        long mtime =
                Files.getLastModifiedTime(w.resolve("trials/trial-0000/metrics.jsonl")).toMillis();

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
                        "2");
        assertEquals(0, b.code(), b.err());
        List<JsonObject> h2 = MetricsLog.read(history);
        assertEquals(2, h2.size());
        assertEquals(h1.get(0).toString(), h2.get(0).toString()); // trial 0 not rerun
        assertEquals(
                mtime,
                Files.getLastModifiedTime(w.resolve("trials/trial-0000/metrics.jsonl")).toMillis());
        assertTrue(Files.exists(w.resolve("trials/trial-0001/final_metrics.json")));
        assertTrue(Files.exists(w.resolve("best/genotype.json")));
        JsonObject t = h2.get(1);
        assertEquals("autodeeplab", t.getAsJsonObject("genotype").get("method").getAsString());
        assertEquals(2.0, t.getAsJsonObject("metrics").get("steps").getAsDouble());
    }

    @Test
    void unknownStrategyIsAUsageError(@TempDir Path dir) {
        Outcome o =
                dpnas(SearchAutoDeepLabCommandTest.search(dir.resolve("x"), "--strategy", "evo"));
        assertEquals(2, o.code());
        assertTrue(o.err().contains("--strategy evo"), o.err());
    }
}
