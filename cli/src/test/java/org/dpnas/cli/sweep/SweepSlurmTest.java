package org.dpnas.cli.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.dpnas.cli.Cli;
import org.dpnas.common.launch.Shell;
import org.dpnas.common.launch.SlurmLauncher;
import org.dpnas.common.launch.SlurmSettings;
import org.dpnas.common.launch.TrialCommand;
import org.dpnas.common.launch.TrialPool;
import org.dpnas.common.launch.TrialScript;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against a real Slurm (the single-node cluster of {@code .ci/slurm-up.sh}): a three-trial sweep of
 * a tiny {@code dpnas train} with {@code --backend slurm}; one job is cancelled with {@code
 * scancel}, the submitter is killed with SIGKILL and the same command is run again, which must
 * re-attach, run nothing twice and end with every trial's result. Runs when {@code
 * DPNAS_SLURM_TEST=1} (as {@code .ci/run} sets after starting Slurm); skips with the reason
 * otherwise.
 */
public class SweepSlurmTest {

    private static final String[] TINY = {
        "train",
        "--max-steps",
        "20",
        "--threads",
        "1",
        "--device",
        "cpu",
        "--batch-size",
        "4",
        "--set",
        "model.width=8",
        "--set",
        "data.synthetic.height=32",
        "--set",
        "data.synthetic.width=32",
        "--set",
        "data.synthetic.train_size=32",
        "--set",
        "data.synthetic.val_size=8"
    };

    private static void assumeSlurm() {
        String skip = null;
        if (!"1".equals(System.getenv("DPNAS_SLURM_TEST"))) {
            skip =
                    "Slurm integration test not requested: start a cluster with .ci/slurm-up.sh"
                            + " (as root) and set DPNAS_SLURM_TEST=1; .ci/run does both";
        } else if (System.getenv("DPNAS_SLURM_UNAVAILABLE") != null
                && !System.getenv("DPNAS_SLURM_UNAVAILABLE").isBlank()) {
            skip = "Slurm is not available here: " + System.getenv("DPNAS_SLURM_UNAVAILABLE");
        }
        if (skip != null) {
            System.err.println("SweepSlurmTest skipped: " + skip);
        }
        assumeTrue(skip == null, skip);
    }

    /** {@link #javaDpnas} as shell words for {@code --exec}. */
    public static String javaExec() throws Exception {
        return String.join(" ", javaDpnas().stream().map(TrialScript::quote).toList());
    }

    /** The test JVM's real class path (surefire may hide it in a manifest-only jar). */
    public static String classPath() throws Exception {
        String cp = System.getProperty("java.class.path");
        String[] parts = cp.split(File.pathSeparator);
        if (parts.length == 1 && parts[0].endsWith(".jar")) {
            try (JarFile jar = new JarFile(parts[0])) {
                Manifest m = jar.getManifest();
                String entries = m == null ? null : m.getMainAttributes().getValue("Class-Path");
                if (entries != null) {
                    List<String> files = new ArrayList<>();
                    for (String u : entries.trim().split("\\s+")) {
                        files.add(Path.of(new java.net.URI(u)).toString());
                    }
                    return String.join(File.pathSeparator, files);
                }
            }
        }
        return cp;
    }

    /** {@code java ... org.dpnas.cli.Main}: the dpnas command of this build, as words. */
    public static List<String> javaDpnas() throws Exception {
        return List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true",
                "-Xmx1g",
                "-cp",
                classPath(),
                "org.dpnas.cli.Main");
    }

    private static JsonObject state(Path sw) throws Exception {
        Path f = sw.resolve(TrialPool.STATE_FILE);
        return Files.exists(f)
                ? JsonParser.parseString(Files.readString(f)).getAsJsonObject()
                : null;
    }

    private static JsonObject trial(JsonObject state, String id) {
        for (JsonElement e : state.getAsJsonArray("trials")) {
            if (e.getAsJsonObject().get("id").getAsString().equals(id)) {
                return e.getAsJsonObject();
            }
        }
        throw new AssertionError("no trial " + id);
    }

    /** Waits until trial {@code id} is in {@code wanted}; returns its record. */
    private static JsonObject await(Path sw, String id, List<String> wanted, Process submitter)
            throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < end) {
            JsonObject s = state(sw);
            if (s != null) {
                for (JsonElement e : s.getAsJsonArray("trials")) {
                    JsonObject t = e.getAsJsonObject();
                    if (t.get("id").getAsString().equals(id)
                            && wanted.contains(t.get("state").getAsString())) {
                        return t;
                    }
                }
            }
            assertTrue(submitter.isAlive(), "the submitter ended early: exit " + exitOf(submitter));
            Thread.sleep(200);
        }
        throw new AssertionError(id + " never reached " + wanted + ": " + state(sw));
    }

    private static String exitOf(Process p) {
        return p.isAlive() ? "running" : String.valueOf(p.exitValue());
    }

    @Test
    void sweepOnSlurmSurvivesACancelAndTheSubmittersDeath(@TempDir Path dir) throws Exception {
        assumeSlurm();
        List<String> java = javaDpnas();
        String exec = String.join(" ", java.stream().map(TrialScript::quote).toList());
        JsonObject spec = new JsonObject();
        spec.addProperty("name", "slurm-it");
        JsonArray cmd = new JsonArray();
        Stream.of(TINY).forEach(cmd::add);
        spec.add("command", cmd);
        spec.add(
                "list",
                JsonParser.parseString(
                        "[{\"train.lr\": 0.05}, {\"train.max_steps\": 100000},"
                                + " {\"train.lr\": 0.1}, {\"train.lr\": \"fast\"}]"));
        spec.addProperty("slots", 2);
        spec.add(
                "slurm",
                JsonParser.parseString(
                        "{\"time\": \"00:10:00\", \"cpus_per_task\": 1, \"mem\": \"1500M\"}"));
        Path specFile = dir.resolve("slurm-it.json");
        Files.writeString(specFile, spec.toString());
        Path sw = dir.resolve("sweep");
        List<String> sweep = new ArrayList<>(java);
        sweep.addAll(
                List.of(
                        "sweep",
                        specFile.toString(),
                        "--backend",
                        "slurm",
                        "--work-dir",
                        sw.toString(),
                        "--poll",
                        "0.5",
                        "--retries",
                        "1",
                        "--exec",
                        exec));

        // 1. submit; cancel t001 once it runs; kill the submitter with SIGKILL
        Process first =
                new ProcessBuilder(sweep)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("first.log").toFile())
                        .start();
        String cancelled;
        try {
            JsonObject t1 = await(sw, "t001", List.of("RUNNING"), first);
            cancelled = t1.get("job").getAsString();
            Shell.Result r = Shell.system().run(List.of("scancel", cancelled));
            assertEquals(0, r.code(), r.message());
            await(sw, "t001", List.of("CANCELLED"), first);
        } finally {
            first.destroyForcibly();
            first.waitFor();
        }
        String t0job = trial(state(sw), "t000").get("job").getAsString();
        assertEquals(
                137,
                first.exitValue(),
                "killed by SIGKILL: " + Files.readString(dir.resolve("first.log")));

        // 2. the same command again: re-attaches, runs nothing twice, ends with every result
        Process second =
                new ProcessBuilder(sweep)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("second.log").toFile())
                        .start();
        assertTrue(second.waitFor(300, TimeUnit.SECONDS), "the re-attached sweep did not end");
        String log2 = Files.readString(dir.resolve("second.log"));
        assertEquals(
                1, second.exitValue(), "one trial was cancelled, so not all completed\n" + log2);
        assertTrue(log2.contains("(re-attached)"), log2);
        assertTrue(log2.contains("2 of 4 trials completed"), log2);

        JsonObject s = state(sw);
        assertEquals("COMPLETED", trial(s, "t000").get("state").getAsString(), s.toString());
        assertEquals("CANCELLED", trial(s, "t001").get("state").getAsString(), s.toString());
        assertEquals("COMPLETED", trial(s, "t002").get("state").getAsString(), s.toString());
        assertEquals(cancelled, trial(s, "t001").get("job").getAsString());
        assertEquals(t0job, trial(s, "t000").get("job").getAsString());
        for (String id : List.of("t000", "t001", "t002")) {
            assertEquals(1, trial(s, id).get("attempts").getAsInt(), id + " ran twice: " + s);
        }
        // a trial that fails is reported as FAILED with Slurm's exit code and its log's last
        // lines, after --retries 1 submitted it once more
        JsonObject bad = trial(s, "t003");
        assertEquals("FAILED", bad.get("state").getAsString(), s.toString());
        assertEquals(2, bad.get("attempts").getAsInt(), s.toString());
        String msg = bad.get("message").getAsString();
        assertTrue(msg.startsWith("FAILED (exit code 2:0"), msg);
        assertTrue(msg.contains("key 'train.lr' expects a number, got string \"fast\""), msg);
        try (Stream<Path> jobs = Files.list(sw.resolve("jobs"))) {
            assertEquals(
                    2,
                    jobs.filter(p -> p.getFileName().toString().startsWith("array-")).count(),
                    "one sbatch for the sweep, one for the retry");
        }
        for (String id : List.of("t000", "t002")) {
            Path run = sw.resolve("trials").resolve(id);
            JsonObject m = Cli.json(run.resolve("final_metrics.json"));
            double miou = m.get("mIoU").getAsDouble();
            assertTrue(miou > 0 && miou <= 1, id + " mIoU " + miou);
            assertFalse(Cli.json(run.resolve("provenance.json")).has("resumes"), id + " resumed");
            assertTrue(
                    Files.readString(sw.resolve("jobs").resolve(id + ".a1.start")).contains(" "),
                    "the trial script recorded its start");
        }
        assertFalse(Files.exists(sw.resolve("trials/t001/final_metrics.json")));

        // 3. status and report agree
        Path json = dir.resolve("status.json");
        var st = Cli.dpnas("sweep", "status", sw.toString(), "--json", json.toString());
        assertEquals(0, st.code(), st.err());
        assertTrue(st.out().contains("t001   CANCELLED"), st.out());
        JsonArray rows = Cli.json(json).getAsJsonArray("trials");
        for (JsonElement e : rows) {
            JsonObject r = e.getAsJsonObject();
            System.out.printf(
                    "slurm trial %s %s job %s submit->start %.2f s%n",
                    r.get("id").getAsString(),
                    r.get("state").getAsString(),
                    r.get("job").getAsString(),
                    r.get("queue_seconds").isJsonNull()
                            ? Double.NaN
                            : r.get("queue_seconds").getAsDouble());
        }
    }

    /**
     * A random search whose children are Slurm jobs, two in flight: one child's job is cancelled
     * with {@code scancel} (recorded as a child without a result, replaced by the next proposal),
     * the submitter is killed with SIGKILL while a child runs, and the same command with {@code
     * --resume} re-attaches: no child runs twice, every child ends with its result or as cancelled,
     * and the proposals are the seed's.
     */
    @Test
    void randomSearchOnSlurmSurvivesACancelAndTheSubmittersDeath(@TempDir Path dir)
            throws Exception {
        assumeSlurm();
        Path w = dir.resolve("search");
        List<String> cmd = new ArrayList<>(javaDpnas());
        cmd.add(1, "-Ddpnas.home=" + System.getProperty("dpnas.home", "."));
        cmd.addAll(
                List.of(
                        "search",
                        "autodeeplab",
                        "--work-dir",
                        w.toString(),
                        "--set",
                        "space.layers=3",
                        "--set",
                        "space.filter_multiplier=2",
                        "--set",
                        "space.blocks=2",
                        "--set",
                        "data.synthetic.train_size=8",
                        "--set",
                        "data.synthetic.val_size=4",
                        "--set",
                        "data.synthetic.height=16",
                        "--set",
                        "data.synthetic.width=16",
                        "--batch-size",
                        "2",
                        "--threads",
                        "1",
                        "--device",
                        "cpu",
                        "--strategy",
                        "random",
                        "--trials",
                        "3",
                        "--trial-steps",
                        "200",
                        "--backend",
                        "slurm",
                        "--parallel",
                        "2",
                        "--poll",
                        "0.5",
                        "--exec",
                        javaExec(),
                        "--set",
                        "trials.slurm.time=\"00:10:00\"",
                        "--set",
                        "trials.slurm.cpus_per_task=1",
                        "--set",
                        "trials.slurm.mem=\"1500M\""));
        Path pool = w.resolve("launch");

        // 1. cancel trial 1 once it runs; kill the submitter once trial 2 is submitted
        Process first =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("first.log").toFile())
                        .start();
        String cancelled;
        try {
            JsonObject t1 = await(pool, "trial-0001", List.of("RUNNING"), first);
            cancelled = t1.get("job").getAsString();
            Shell.Result r = Shell.system().run(List.of("scancel", cancelled));
            assertEquals(0, r.code(), r.message());
            await(pool, "trial-0002", List.of("PENDING", "RUNNING"), first);
        } finally {
            first.destroyForcibly();
            first.waitFor();
        }
        assertEquals(137, first.exitValue(), Files.readString(dir.resolve("first.log")));

        // 2. the same command with --resume re-attaches and finishes
        List<String> again = new ArrayList<>(cmd);
        again.add("--resume");
        Process second =
                new ProcessBuilder(again)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("second.log").toFile())
                        .start();
        assertTrue(second.waitFor(300, TimeUnit.SECONDS), "the re-attached search did not end");
        String log2 = Files.readString(dir.resolve("second.log"));
        assertEquals(1, second.exitValue(), "one child was cancelled\n" + log2);
        assertTrue(log2.contains("re-attached: "), log2);
        assertTrue(log2.contains("1 of 3 children ended without a result"), log2);

        JsonObject s = state(pool);
        assertEquals("COMPLETED", trial(s, "trial-0000").get("state").getAsString(), s.toString());
        assertEquals("CANCELLED", trial(s, "trial-0001").get("state").getAsString(), s.toString());
        assertEquals("COMPLETED", trial(s, "trial-0002").get("state").getAsString(), s.toString());
        assertEquals(cancelled, trial(s, "trial-0001").get("job").getAsString());
        for (String id : List.of("trial-0000", "trial-0001", "trial-0002")) {
            assertEquals(1, trial(s, id).get("attempts").getAsInt(), id + " ran twice: " + s);
        }
        List<JsonObject> events = new ArrayList<>();
        for (String line : Files.readAllLines(w.resolve("search/events.jsonl"))) {
            events.add(JsonParser.parseString(line).getAsJsonObject());
        }
        List<String> kinds = events.stream().map(e -> e.get("event").getAsString()).toList();
        assertEquals(List.of("propose", "propose"), kinds.subList(0, 2), kinds.toString());
        assertEquals(6, kinds.size(), kinds.toString());
        JsonObject failed =
                events.stream()
                        .filter(e -> e.get("event").getAsString().equals("failed"))
                        .findFirst()
                        .orElseThrow();
        assertEquals(1, failed.get("id").getAsInt());
        assertEquals("CANCELLED", failed.get("outcome").getAsString());
        for (String t : List.of("trial-0000", "trial-0002")) {
            Path run = w.resolve("trials").resolve(t);
            double miou = Cli.json(run.resolve("final_metrics.json")).get("mIoU").getAsDouble();
            assertTrue(miou >= 0 && miou <= 1, t + " mIoU " + miou);
            assertEquals(
                    miou, Cli.json(run.resolve("trial_result.json")).get("score").getAsDouble());
            assertFalse(Cli.json(run.resolve("provenance.json")).has("resumes"), t + " resumed");
        }
        assertFalse(Files.exists(w.resolve("trials/trial-0001/trial_result.json")));
        assertEquals(2, Files.readAllLines(w.resolve("search/history.jsonl")).size());
        assertTrue(Files.exists(w.resolve("best/genotype.json")));
    }

    @Test
    void submissionOverheadAndStartLatency(@TempDir Path dir) throws Exception {
        assumeSlurm();
        int n = 8;
        List<Path> scripts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TrialCommand t =
                    new TrialCommand(
                            "s" + i, List.of("x"), List.of("x"), dir.resolve("r" + i), "f");
            scripts.add(TrialScript.write(t, 1, dir.resolve("jobs"), "true", dir));
        }
        SlurmLauncher l =
                new SlurmLauncher(
                        new SlurmSettings(null, "00:01:00", 1, "100M", null, null, List.of(), 0),
                        Shell.system());
        double t0 = System.currentTimeMillis() / 1000.0;
        long a = System.nanoTime();
        var jobs = l.submit(scripts, dir.resolve("jobs"), "dpnas-overhead");
        double submitSeconds = (System.nanoTime() - a) / 1e9;
        long b = System.nanoTime();
        l.poll(jobs);
        double pollSeconds = (System.nanoTime() - b) / 1e9;
        double firstStart = Double.NaN;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int exited = 0;
        while (exited < n && System.nanoTime() < end) {
            exited = 0;
            for (Path s : scripts) {
                if (TrialScript.exitCode(s).isPresent()) {
                    exited++;
                }
            }
            Thread.sleep(100);
        }
        assertEquals(n, exited, "every job ran");
        double lastStart = 0;
        for (Path s : scripts) {
            double st = TrialScript.startTime(s).orElseThrow();
            firstStart = Double.isNaN(firstStart) ? st : Math.min(firstStart, st);
            lastStart = Math.max(lastStart, st);
        }
        System.out.printf(
                "slurm overhead: sbatch of a %d-task array %.3f s (%.1f ms per trial), one poll"
                        + " %.3f s, submit->first start %.2f s, submit->last start %.2f s%n",
                n,
                submitSeconds,
                1000 * submitSeconds / n,
                pollSeconds,
                firstStart - t0,
                lastStart - t0);
    }
}
