package org.dpnas.cli;

import static org.dpnas.cli.Cli.dpnas;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.dpnas.cli.Cli.Outcome;
import org.dpnas.cli.data.TinyData;
import org.dpnas.common.run.RunLock;
import org.dpnas.common.train.Checkpointer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault injection: SIGKILL at random moments of a training run and of a search, each followed by
 * {@code --resume}, must end identical to an uninterrupted run; a second concurrent {@code
 * --resume} is refused naming the holder; refused settings leave no directory and a good run
 * follows in the same directory; malformed inputs are errors naming the entry or skipped and
 * recorded. Every fault counts; the summary ("N faults injected, N survived") is printed at the end
 * and written to {@code target/fault-injection.txt}.
 */
class FaultInjectionTest {

    private static final AtomicInteger INJECTED = new AtomicInteger();
    private static final AtomicInteger SURVIVED = new AtomicInteger();
    private static final List<String> KINDS = new ArrayList<>();
    private static final Random RANDOM = new Random();

    private static synchronized void injected(String kind) {
        INJECTED.incrementAndGet();
        KINDS.add(kind);
    }

    private static void survived(int n) {
        SURVIVED.addAndGet(n);
    }

    @AfterAll
    static void summary() throws Exception {
        String line =
                "fault injection: "
                        + INJECTED.get()
                        + " faults injected, "
                        + SURVIVED.get()
                        + " survived ("
                        + String.join(", ", KINDS)
                        + ")";
        System.out.println(line);
        Path target = Path.of("target");
        if (Files.isDirectory(target)) {
            Files.writeString(target.resolve("fault-injection.txt"), line + "\n");
        }
    }

    private static final String[] TRAIN = {
        "--set", "model.width=8",
        "--set", "data.synthetic.height=32",
        "--set", "data.synthetic.width=32",
        "--set", "data.synthetic.train_size=24",
        "--set", "data.synthetic.val_size=8",
        "--set", "train.log_every=2",
        "--batch-size", "4",
        "--threads", "1",
        "--device", "cpu",
    };

    private static String[] args(String first, Path workDir, String[] base, String... extra) {
        List<String> a = new ArrayList<>(List.of(first.split(" ")));
        a.addAll(List.of("--work-dir", workDir.toString()));
        a.addAll(List.of(base));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    private static long newest(Path run) {
        try {
            return new Checkpointer(run.resolve("checkpoints"), 1)
                    .latest()
                    .map(Checkpointer::stepOf)
                    .orElse(0L);
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return 0L; // a checkpoint being renamed right now
        }
    }

    private static long holder(Path run) {
        JsonObject h = RunLock.holder(run.resolve(RunLock.FILE));
        return h.has("pid") ? h.get("pid").getAsLong() : -1;
    }

    /**
     * Kills a child run several times at random moments (once right after it starts, before any
     * checkpoint; then after random checkpoints plus a random delay), resumes it each time, and
     * while one resumed child runs, starts a second {@code --resume} that must be refused. The
     * first resumed child is killed (when {@code firstKillAfter > 0}) once a checkpoint at step
     * {@code firstKillAfter} or later exists, so at least one resume starts from there (for a
     * search: after the architecture updates began, so their optimizer state must come back).
     *
     * @return the number of kills
     */
    private static int killAndResume(
            Path dir,
            String verb,
            String[] base,
            Path run,
            long lastStep,
            int kills,
            long firstKillAfter)
            throws Exception {
        int killed = 0;
        Process p = Child.start(dir.resolve("child-0.log"), args(verb, run, base));
        // 1: as soon as the run has started writing, before its first checkpoint (usually)
        Child.await(p, () -> Files.exists(run.resolve("config.resolved.json")), 180);
        Child.kill(p);
        injected("kill -9 at start of " + verb);
        killed++;
        boolean concurrency = false;
        for (int i = 1; i <= kills; i++) {
            String[] resume = {verb.split(" ")[0]};
            List<String> a = new ArrayList<>(List.of(verb.split(" ")));
            a.addAll(List.of("--work-dir", run.toString(), "--resume"));
            p = Child.start(dir.resolve("child-" + i + ".log"), a.toArray(resume));
            long pid = p.pid();
            assertTrue(Child.await(p, () -> holder(run) == pid, 180), "child never took the lock");
            if (!concurrency) {
                Outcome second = dpnas(a.toArray(new String[0]));
                injected("second concurrent --resume of " + verb);
                assertNotEquals(0, second.code(), second.err());
                assertTrue(second.err().contains("in use by another dpnas process"), second.err());
                assertTrue(second.err().contains("pid " + pid), second.err());
                survived(1);
                concurrency = true;
            }
            long from = newest(run);
            long random = Math.min(lastStep - 2, from + 2 * (1 + RANDOM.nextInt(4)));
            long target = i == 1 && firstKillAfter > 0 ? firstKillAfter : random;
            Child.await(p, () -> newest(run) >= target, 180);
            Thread.sleep(RANDOM.nextInt(60));
            if (!p.isAlive()) {
                break; // it finished: nothing left to interrupt
            }
            Child.kill(p);
            injected("kill -9 during " + verb);
            killed++;
        }
        List<String> a = new ArrayList<>(List.of(verb.split(" ")));
        a.addAll(List.of("--work-dir", run.toString(), "--resume"));
        Outcome last = dpnas(a.toArray(new String[0]));
        assertEquals(0, last.code(), last.err());
        return killed;
    }

    private static void assertSameFiles(Path a, Path b, String... files) throws Exception {
        for (String f : files) {
            assertArrayEquals(
                    Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f);
        }
    }

    /** {@code final_metrics.json} without its {@code checkpoint} path, which names the run. */
    private static void assertSameMetrics(Path a, Path b) throws Exception {
        JsonObject x = Cli.json(a.resolve("final_metrics.json"));
        JsonObject y = Cli.json(b.resolve("final_metrics.json"));
        x.remove("checkpoint");
        y.remove("checkpoint");
        assertEquals(x, y);
    }

    @Test
    void trainingKilledAtRandomMomentsEndsLikeAnUninterruptedRun(@TempDir Path dir)
            throws Exception {
        String[] base = {"--max-steps", "60", "--checkpoint-every", "2", "--eval-every", "8"};
        String[] all = concat(TRAIN, base);
        Path straight = dir.resolve("straight");
        assertEquals(0, dpnas(args("train", straight, all)).code());
        Path run = dir.resolve("killed");
        int kills = killAndResume(dir, "train", all, run, 60, 3, 0);
        assertSameFiles(
                straight,
                run,
                "checkpoints/step-00000060/model.params",
                "checkpoints/step-00000060/optimizer-weights.ndlist",
                "metrics.jsonl");
        assertSameMetrics(straight, run);
        survived(kills);
    }

    @Test
    void aSearchKilledAtRandomMomentsEndsLikeAnUninterruptedSearch(@TempDir Path dir)
            throws Exception {
        String[] search = {
            "--set", "space.layers=3",
            "--set", "space.filter_multiplier=2",
            "--set", "space.blocks=2",
            "--set", "data.synthetic.train_size=16",
            "--set", "data.synthetic.val_size=4",
            "--set", "data.synthetic.height=16",
            "--set", "data.synthetic.width=16",
            "--set", "search.log_every=1",
            "--batch-size", "2",
            "--epochs", "4",
            "--arch-start-epoch", "1",
            "--checkpoint-every", "2",
            "--threads", "1",
            "--device", "cpu",
        };
        Path straight = dir.resolve("straight");
        Outcome o = dpnas(args("search autodeeplab", straight, search));
        assertEquals(0, o.code(), o.err());
        Path run = dir.resolve("killed");
        // α updates start at step 4 (epoch 1 of 4 steps): the first resume is from step 8 or later
        int kills = killAndResume(dir, "search autodeeplab", search, run, 16, 2, 8);
        String log = Files.readString(dir.resolve("child-2.log"));
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("resuming from .* \\(step (\\d+)\\)").matcher(log);
        assertTrue(m.find(), "the second child did not resume from a checkpoint:\n" + log);
        assertTrue(Long.parseLong(m.group(1)) >= 8, log);
        assertSameFiles(
                straight,
                run,
                "checkpoints/step-00000016/model.params",
                "checkpoints/step-00000016/optimizer-weights.ndlist",
                "checkpoints/step-00000016/optimizer-arch.ndlist",
                "best/genotype.json",
                "search/genotypes.jsonl",
                "metrics.jsonl");
        survived(kills);
        // a search resumed with another setting that alters it is refused, naming the key
        Outcome changed =
                dpnas(
                        "search",
                        "autodeeplab",
                        "--work-dir",
                        run.toString(),
                        "--resume",
                        "--set",
                        "search.arch_lr=0.01",
                        "--threads",
                        "1");
        injected("search --resume with a changed setting");
        assertEquals(2, changed.code(), changed.err());
        assertTrue(changed.err().contains("search.arch_lr (0.003 → 0.01)"), changed.err());
        survived(1);
    }

    @Test
    void refusedSettingsLeaveNoDirectoryAndAStoppedRunContinuesOrRestarts(@TempDir Path dir)
            throws Exception {
        Path run = dir.resolve("run");
        String[][] refused = {
            {"--batch-size", "-3", "--batch-size -3: key 'train.batch_size' must be >= 1"},
            {"--batch-size", "0", "--batch-size 0: key 'train.batch_size' must be >= 1"},
            {"--max-steps", "0", "--max-steps 0: key 'train.max_steps' must be >= 1"},
            {"--set", "train.optimizer=adagrad", "must be one of sgd, adam, adamw"},
            {"--set", "train.betas=[0.9,1.0]", "key 'train.betas[1]' must be in [0, 1)"},
            {"--set", "train.schedule=step", "key 'train.schedule' must be one of poly"},
        };
        for (String[] r : refused) {
            Outcome o = dpnas(args("train", run, TRAIN, r[0], r[1]));
            injected("refused setting " + r[0] + " " + r[1]);
            assertEquals(2, o.code(), o.err());
            assertTrue(o.err().contains(r[2]), o.err());
            assertFalse(Files.exists(run), "a refused command created " + run);
            survived(1);
        }
        // a bad setting found only while training: a diverging learning rate stops the run
        // before its first checkpoint
        Outcome nan =
                dpnas(
                        args(
                                "train",
                                run,
                                TRAIN,
                                "--lr",
                                "1e30",
                                "--max-steps",
                                "6",
                                "--checkpoint-every",
                                "100"));
        injected("run stopped by a non-finite loss before its first checkpoint");
        assertEquals(1, nan.code(), nan.err());
        assertTrue(Files.exists(run.resolve("config.resolved.json")));
        // resuming with another lr names the changed key and the way out
        Outcome changed = dpnas("train", "--work-dir", run.toString(), "--resume", "--lr", "0.05");
        assertEquals(2, changed.code());
        assertTrue(changed.err().contains("train.lr (1.0E30 → 0.05)"), changed.err());
        assertTrue(changed.err().contains("--allow-changes"), changed.err());
        Outcome accepted =
                dpnas(
                        "train",
                        "--work-dir",
                        run.toString(),
                        "--resume",
                        "--lr",
                        "0.05",
                        "--allow-changes");
        assertEquals(0, accepted.code(), accepted.err());
        assertTrue(accepted.err().contains("starting from step 0"), accepted.err());
        JsonObject prov = Cli.json(run.resolve("provenance.json"));
        assertEquals(
                0.05,
                prov.getAsJsonArray("resumes")
                        .get(0)
                        .getAsJsonObject()
                        .getAsJsonObject("changes")
                        .getAsJsonObject("train.lr")
                        .get("to")
                        .getAsDouble());
        survived(1);

        // the same stop, then simply starting again in the same directory: nothing to lose
        Path again = dir.resolve("again");
        String[] six = {"--max-steps", "6", "--checkpoint-every", "100"};
        assertEquals(1, dpnas(args("train", again, concat(TRAIN, six), "--lr", "1e30")).code());
        injected("restart in the directory of a stopped run");
        Outcome restart = dpnas(args("train", again, concat(TRAIN, six)));
        assertEquals(0, restart.code(), restart.err());
        Path fresh = dir.resolve("fresh");
        assertEquals(0, dpnas(args("train", fresh, concat(TRAIN, six))).code());
        assertSameFiles(fresh, again, "metrics.jsonl");
        assertSameMetrics(fresh, again);
        survived(1);
        // but a directory with checkpoints is never restarted over
        Outcome over = dpnas(args("train", again, concat(TRAIN, six)));
        assertEquals(2, over.code());
        assertTrue(over.err().contains("use --resume"), over.err());
    }

    @Test
    void missingSampleFilesAreSkippedAndRecordedOrStopARunThatThenResumes(@TempDir Path dir)
            throws Exception {
        Path root = dir.resolve("camvid");
        List<String> lines = TinyData.camvid(root, "train", 6);
        lines.add("train/gone.png trainannot/gone.png"); // neither file exists
        TinyData.writeList(root, "train", lines);
        TinyData.writeList(root, "val", TinyData.camvid(root, "val", 2));
        String[] camvid = {
            "--dataset", "camvid", "--root", root.toString(), "--set", "model.width=8",
            "--batch-size", "7", "--max-steps", "2", "--checkpoint-every", "100",
            "--threads", "1", "--device", "cpu",
        };
        Path skip = dir.resolve("skip");
        Outcome o = dpnas(args("train", skip, camvid, "--on-bad-sample", "skip"));
        injected("missing image and label with --on-bad-sample skip");
        assertEquals(0, o.code(), o.err());
        String skips = Files.readString(skip.resolve("data_skips.json"));
        assertTrue(skips.contains("gone.png"), skips);
        assertTrue(skips.contains("image file not found"), skips);
        survived(1);

        Path fail = dir.resolve("fail");
        Outcome stopped = dpnas(args("train", fail, camvid));
        injected("run stopped by a missing sample file");
        assertEquals(1, stopped.code(), stopped.err());
        assertTrue(stopped.err().contains("gone.png"), stopped.err());
        assertTrue(stopped.err().contains("--on-bad-sample skip"), stopped.err());
        // the user restores the files; the run continues from step 0
        TinyData.rgb(root.resolve("train/gone.png"), 32, 24, 99);
        TinyData.gray(root.resolve("trainannot/gone.png"), 32, 24, 1);
        Outcome resumed = dpnas("train", "--work-dir", fail.toString(), "--resume");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("starting from step 0"), resumed.err());
        survived(1);
    }

    @Test
    void malformedDetectionsAreErrorsNamingTheEntry(@TempDir Path dir) throws Exception {
        Path gt = dir.resolve("gt.json");
        Files.writeString(
                gt,
                "{\"images\":[{\"id\":1,\"width\":100,\"height\":100}],"
                        + "\"categories\":[{\"id\":3,\"name\":\"cell\"}],"
                        + "\"annotations\":[{\"id\":1,\"image_id\":1,\"category_id\":3,"
                        + "\"bbox\":[10,10,20,20],\"area\":400,\"iscrowd\":0}]}");
        String good = "{\"image_id\":1,\"category_id\":3,\"bbox\":[10,10,20,20],\"score\":0.9}";
        String[][] cases = {
            {
                "{\"image_id\":1,\"category_id\":9,\"bbox\":[1,1,2,2],\"score\":0.5}",
                "[1].category_id: category id 9 is not a category of the ground truth"
            },
            {
                "{\"image_id\":1,\"category_id\":3,\"bbox\":[1,1,-2,2],\"score\":0.5}",
                "[1].bbox: negative width -2.0"
            },
            {
                "{\"image_id\":1,\"category_id\":3,\"bbox\":[1,1,2,2],\"score\":NaN}",
                "score of detection [1] is NaN"
            },
        };
        Path dt = dir.resolve("dt.json");
        for (String[] c : cases) {
            Files.writeString(dt, "[" + good + "," + c[0] + "]");
            Outcome o = dpnas("eval", "det", "--gt", gt.toString(), "--dt", dt.toString());
            injected("malformed detection: " + c[1].substring(c[1].indexOf(':') + 1).strip());
            assertEquals(1, o.code(), o.err());
            assertTrue(o.err().contains(c[1]), o.err());
            survived(1);
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
