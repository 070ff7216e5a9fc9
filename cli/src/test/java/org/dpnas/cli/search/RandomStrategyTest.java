package org.dpnas.cli.search;

import static org.dpnas.cli.Cli.dpnas;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dpnas.cli.Cli.Outcome;
import org.dpnas.cli.sweep.SweepSlurmTest;
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

    /**
     * {@code --backend local --parallel 2}: every child is a separate {@code dpnas trial} process;
     * the children, their scores and their run directories are those of the same search run in this
     * process, and a rerun with {@code --resume} runs nothing again.
     */
    @Test
    void childrenRunAsParallelLocalProcessesWithTheSameResults(@TempDir Path dir) throws Exception {
        Path inproc = dir.resolve("inproc");
        Outcome a =
                dpnas(
                        SearchAutoDeepLabCommandTest.search(
                                inproc,
                                "--strategy",
                                "random",
                                "--trials",
                                "3",
                                "--trial-steps",
                                "2"));
        assertEquals(0, a.code(), a.err());
        Path w = dir.resolve("local");
        String[] cmd =
                SearchAutoDeepLabCommandTest.search(
                        w,
                        "--strategy",
                        "random",
                        "--trials",
                        "3",
                        "--trial-steps",
                        "2",
                        "--backend",
                        "local",
                        "--parallel",
                        "2",
                        "--poll",
                        "0.2",
                        "--exec",
                        SweepSlurmTest.javaExec());
        long t0 = System.nanoTime();
        Outcome b = dpnas(cmd);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(0, b.code(), b.out() + b.err());
        System.out.printf("random search, 3 children, local --parallel 2: %.1f s%n", seconds);
        List<JsonObject> events = MetricsLog.read(w.resolve("search/events.jsonl"));
        assertEquals(6, events.size(), events.toString());
        assertEquals("propose", events.get(0).get("event").getAsString());
        assertEquals("propose", events.get(1).get("event").getAsString());
        assertEquals("result", events.get(2).get("event").getAsString());
        List<JsonObject> h = MetricsLog.read(w.resolve("search/history.jsonl"));
        List<JsonObject> ref = MetricsLog.read(inproc.resolve("search/history.jsonl"));
        assertEquals(3, h.size());
        for (JsonObject t : h) {
            JsonObject same = ref.get(t.get("id").getAsInt());
            assertEquals(same.get("genotype"), t.get("genotype"), "same child");
            assertEquals(
                    same.get("score").getAsDouble(),
                    t.get("score").getAsDouble(),
                    "the child's score does not depend on where it ran");
            Path run = w.resolve(t.get("dir").getAsString());
            assertTrue(Files.exists(run.resolve("final_metrics.json")), run.toString());
            assertTrue(Files.exists(run.resolve("trial_result.json")), run.toString());
        }
        assertTrue(Files.exists(w.resolve("launch/state.json")));
        assertTrue(Files.exists(w.resolve("best/genotype.json")));

        // rerun the finished search: nothing is submitted again
        List<String> again = new java.util.ArrayList<>(List.of(cmd));
        again.add("--resume");
        Outcome c = dpnas(again.toArray(new String[0]));
        assertEquals(0, c.code(), c.err());
        assertEquals(6, MetricsLog.read(w.resolve("search/events.jsonl")).size());
        assertTrue(c.err().contains("re-attached: 3 scored"), c.err());
        // without --resume the finished children are not thrown away
        Outcome d = dpnas(cmd);
        assertEquals(2, d.code(), d.err());
        assertTrue(d.err().contains("continue it with --resume"), d.err());
    }

    @Test
    void parallelNeedsABackendAndOneShotRefusesIt(@TempDir Path dir) {
        Outcome o =
                dpnas(
                        SearchAutoDeepLabCommandTest.search(
                                dir.resolve("p"), "--strategy", "random", "--parallel", "2"));
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains("--parallel") && o.err().contains("local or slurm"), o.err());
        assertTrue(!Files.exists(dir.resolve("p")), "refused before the run directory is made");
        Outcome s =
                dpnas(SearchAutoDeepLabCommandTest.search(dir.resolve("s"), "--backend", "slurm"));
        assertEquals(2, s.code(), s.err());
        assertTrue(s.err().contains("own search runs in one process"), s.err());
    }

    @Test
    void unknownStrategyIsAUsageError(@TempDir Path dir) {
        Outcome o =
                dpnas(SearchAutoDeepLabCommandTest.search(dir.resolve("x"), "--strategy", "evo"));
        assertEquals(2, o.code());
        assertTrue(o.err().contains("--strategy evo"), o.err());
    }
}
