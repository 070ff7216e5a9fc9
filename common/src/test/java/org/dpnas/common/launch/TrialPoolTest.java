package org.dpnas.common.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pool's bookkeeping on a scripted launcher: capacity, results, retries, loss, re-attach. */
class TrialPoolTest {

    /** A launcher whose jobs' states the test sets. */
    static final class ScriptedLauncher implements TrialLauncher {
        final int capacity;
        final Map<String, JobStatus> states = new HashMap<>();
        final List<String> submitted = new ArrayList<>();
        final List<String> cancelled = new ArrayList<>();
        final Map<Path, Job> byScript = new HashMap<>();
        boolean dieAfterSubmitting;
        int next = 1;

        ScriptedLauncher(int capacity) {
            this.capacity = capacity;
        }

        @Override
        public String backend() {
            return "scripted";
        }

        @Override
        public int capacity() {
            return capacity;
        }

        @Override
        public List<Job> submit(List<Path> scripts, Path jobsDir, String jobName) {
            List<Job> jobs = new ArrayList<>();
            for (Path s : scripts) {
                String id = "j" + next++;
                submitted.add(s.getFileName() + "=" + id);
                states.put(id, JobStatus.ofSlurm("PENDING", "", ""));
                jobs.add(new Job(id, jobsDir.resolve(id + ".out"), s));
                byScript.put(s, jobs.get(jobs.size() - 1));
            }
            if (dieAfterSubmitting) {
                throw new Error("the submitter dies before it records the jobs");
            }
            return jobs;
        }

        @Override
        public Map<Path, Job> find(List<Path> scripts, Path jobsDir) {
            Map<Path, Job> m = new HashMap<>();
            scripts.forEach(
                    s -> {
                        if (byScript.containsKey(s)) {
                            m.put(s, byScript.get(s));
                        }
                    });
            return m;
        }

        @Override
        public Map<String, JobStatus> poll(Collection<Job> jobs) {
            Map<String, JobStatus> m = new HashMap<>();
            jobs.forEach(j -> m.put(j.id(), states.getOrDefault(j.id(), JobStatus.UNKNOWN)));
            return m;
        }

        @Override
        public void cancel(Collection<Job> jobs) {
            jobs.forEach(j -> cancelled.add(j.id()));
        }

        void set(String id, String slurmState) {
            states.put(id, JobStatus.ofSlurm(slurmState, "", ""));
        }
    }

    private static TrialCommand trial(Path dir, String id) {
        Path run = dir.resolve("trials").resolve(id);
        return new TrialCommand(
                id,
                List.of("train", "--work-dir", run.toString()),
                List.of("train", "--work-dir", run.toString(), "--resume"),
                run,
                "final_metrics.json");
    }

    private static void result(Path dir, String id) throws IOException {
        Path run = dir.resolve("trials").resolve(id);
        Files.createDirectories(run);
        Files.writeString(run.resolve("final_metrics.json"), "{\"mIoU\": 0.5}");
    }

    private static TrialState state(TrialPool pool, String id) {
        return pool.records().stream().filter(r -> r.id().equals(id)).findFirst().get().state();
    }

    @Test
    void submitsWithinCapacityAndCompletesOnlyWithTheResultFile(@TempDir Path dir)
            throws IOException {
        ScriptedLauncher l = new ScriptedLauncher(2);
        try (TrialPool pool = TrialPool.attach(dir, l, "dpnas", 0, "n")) {
            for (String id : List.of("a", "b", "c")) {
                pool.add(trial(dir, id));
            }
            pool.step();
            assertEquals(List.of("a.a1.sh=j1", "b.a1.sh=j2"), l.submitted);
            assertEquals(TrialState.WAITING, state(pool, "c"));
            l.set("j1", "RUNNING");
            l.set("j2", "COMPLETED"); // exit 0 but no result file
            result(dir, "a");
            l.set("j1", "COMPLETED");
            List<TrialRecord> ended = pool.step();
            assertEquals(2, ended.size());
            assertEquals(TrialState.COMPLETED, state(pool, "a"));
            assertEquals(TrialState.FAILED, state(pool, "b"));
            assertTrue(
                    pool.records().get(1).message().contains("wrote no final_metrics.json"),
                    pool.records().get(1).message());
            assertEquals("c.a1.sh=j3", l.submitted.get(2));
            assertTrue(!pool.finished());
            result(dir, "c");
            l.set("j3", "COMPLETED");
            pool.step();
            assertTrue(pool.finished());
        }
    }

    @Test
    void failuresAreRetriedThenReportedWithTheLogsLastLines(@TempDir Path dir) throws IOException {
        ScriptedLauncher l = new ScriptedLauncher(10);
        try (TrialPool pool = TrialPool.attach(dir, l, "dpnas", 1, "n")) {
            pool.add(trial(dir, "a"));
            pool.step();
            Files.createDirectories(dir.resolve("jobs"));
            StringBuilder log = new StringBuilder();
            for (int i = 1; i <= 30; i++) {
                log.append("line ").append(i).append('\n');
            }
            Files.writeString(dir.resolve("jobs/j1.out"), log);
            l.states.put("j1", JobStatus.ofSlurm("TIMEOUT", "0:15", "TimeLimit"));
            pool.step();
            // retried once: a second attempt with its own script
            assertEquals(List.of("a.a1.sh=j1", "a.a2.sh=j2"), l.submitted);
            assertEquals(TrialState.PENDING, state(pool, "a"));
            Files.writeString(dir.resolve("jobs/j2.out"), log);
            l.states.put("j2", JobStatus.ofSlurm("OUT_OF_MEMORY", "0:125", "OutOfMemory"));
            pool.step();
            TrialRecord r = pool.records().get(0);
            assertEquals(TrialState.OUT_OF_MEMORY, r.state());
            assertEquals(2, r.attempts());
            assertEquals(List.of("j1", "j2"), r.jobIds());
            assertTrue(
                    r.message()
                            .startsWith(
                                    "OUT_OF_MEMORY (exit code 0:125, reason OutOfMemory) in job j2"),
                    r.message());
            assertTrue(r.message().contains("line 16\n"), r.message());
            assertTrue(r.message().endsWith("line 30"), r.message());
            assertTrue(!r.message().contains("line 15\n"), r.message());
            assertTrue(pool.finished());
        }
    }

    @Test
    void aJobNobodyKnowsIsReadFromItsExitFileOrSubmittedAgain(@TempDir Path dir)
            throws IOException {
        ScriptedLauncher l = new ScriptedLauncher(10);
        try (TrialPool pool = TrialPool.attach(dir, l, "dpnas", 0, "n")) {
            pool.add(trial(dir, "done"));
            pool.add(trial(dir, "crashed"));
            pool.add(trial(dir, "lost"));
            pool.step();
            l.states.clear(); // the scheduler forgot all three
            result(dir, "done");
            Files.writeString(dir.resolve("jobs/done.a1.exit"), "0\n");
            Files.writeString(dir.resolve("jobs/crashed.a1.exit"), "1\n");
            pool.step();
            assertEquals(TrialState.COMPLETED, state(pool, "done"));
            assertEquals(TrialState.FAILED, state(pool, "crashed"));
            assertEquals(TrialState.PENDING, state(pool, "lost"));
            assertEquals("lost.a2.sh=j4", l.submitted.get(3));
            assertEquals(4, l.submitted.size());
        }
    }

    @Test
    void reattachingKeepsFinishedTrialsAndPollsRunningOnes(@TempDir Path dir) throws IOException {
        ScriptedLauncher l = new ScriptedLauncher(10);
        try (TrialPool pool = TrialPool.attach(dir, l, "dpnas", 0, "n")) {
            pool.add(trial(dir, "a"));
            pool.add(trial(dir, "b"));
            pool.step();
            result(dir, "a");
            l.set("j1", "COMPLETED");
            l.set("j2", "RUNNING");
            pool.step();
        }
        // a new process (here: a new pool on the same launcher's scheduler) re-attaches
        try (TrialPool again = TrialPool.attach(dir, l, "dpnas", 0, "n")) {
            again.add(trial(dir, "a"));
            again.add(trial(dir, "b"));
            assertEquals(TrialState.COMPLETED, state(again, "a"));
            assertEquals(TrialState.RUNNING, state(again, "b"));
            result(dir, "b");
            l.set("j2", "COMPLETED");
            again.step();
            assertTrue(again.finished());
            assertEquals(2, l.submitted.size(), "nothing ran twice: " + l.submitted);
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    again.add(
                                            new TrialCommand(
                                                    "a",
                                                    List.of("search", "x"),
                                                    List.of("search"),
                                                    dir,
                                                    "f")));
            assertTrue(e.getMessage().contains("trial a in"), e.getMessage());
        }
    }

    @Test
    void oneProcessAtATimeAndTheSameBackend(@TempDir Path dir) throws IOException {
        ScriptedLauncher l = new ScriptedLauncher(1);
        try (TrialPool pool = TrialPool.attach(dir, l, "dpnas", 0, "n")) {
            pool.save();
            IOException e =
                    assertThrows(IOException.class, () -> TrialPool.attach(dir, l, "x", 0, "n"));
            assertTrue(e.getMessage().contains("in use by another dpnas process"), e.getMessage());
        }
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> TrialPool.attach(dir, new LocalLauncher(1, List.of()), "x", 0, "n"));
        assertTrue(e.getMessage().contains("--backend scripted"), e.getMessage());
    }

    @Test
    void cancelAndInterrupt(@TempDir Path dir) throws IOException {
        ScriptedLauncher l = new ScriptedLauncher(1);
        try (TrialPool pool = TrialPool.attach(dir, l, "dpnas", 0, "n")) {
            pool.add(trial(dir, "a"));
            pool.add(trial(dir, "b"));
            pool.step();
            pool.cancelAll(TrialState.INTERRUPTED, "Ctrl-C");
            assertEquals(List.of("j1"), l.cancelled);
            assertEquals(TrialState.INTERRUPTED, state(pool, "a"));
            assertEquals(TrialState.WAITING, state(pool, "b"));
            pool.step(); // stopped: submits nothing more
            assertEquals(1, l.submitted.size());
        }
        try (TrialPool pool = TrialPool.attach(dir, l, "dpnas", 0, "n")) {
            assertEquals(TrialState.WAITING, state(pool, "a")); // the next run submits it again
            pool.step();
            assertEquals("a.a2.sh=j2", l.submitted.get(1));
            pool.cancelAll(TrialState.CANCELLED, "by the user");
            assertEquals(TrialState.CANCELLED, state(pool, "a"));
            assertEquals(TrialState.CANCELLED, state(pool, "b"));
            assertTrue(pool.finished());
        }
    }

    @Test
    void aSubmissionTheSubmitterDidNotRecordIsFoundNotRepeated(@TempDir Path dir)
            throws IOException {
        ScriptedLauncher l = new ScriptedLauncher(10);
        try (TrialPool pool = TrialPool.attach(dir, l, "dpnas", 0, "n")) {
            pool.add(trial(dir, "a"));
            pool.add(trial(dir, "b"));
            l.dieAfterSubmitting = true;
            assertThrows(Error.class, pool::step);
        }
        assertTrue(Files.readString(dir.resolve("state.json")).contains("in_flight"));
        l.dieAfterSubmitting = false;
        l.byScript.remove(dir.resolve("jobs/b.a1.sh").toAbsolutePath()); // b never reached Slurm
        try (TrialPool pool = TrialPool.attach(dir, l, "dpnas", 0, "n")) {
            assertEquals(TrialState.PENDING, state(pool, "a"));
            assertEquals("j1", pool.records().get(0).job().id());
            assertEquals(TrialState.WAITING, state(pool, "b"));
            pool.step();
            assertEquals(List.of("a.a1.sh=j1", "b.a1.sh=j2", "b.a1.sh=j3"), l.submitted);
            assertEquals(1, pool.records().get(0).attempts());
        }
        assertTrue(!Files.readString(dir.resolve("state.json")).contains("in_flight"));
    }
}
