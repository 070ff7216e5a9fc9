package org.dpnas.common.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dpnas.common.launch.Job;
import org.dpnas.common.launch.JobStatus;
import org.dpnas.common.launch.TrialLauncher;
import org.dpnas.common.launch.TrialScript;
import org.dpnas.common.launch.TrialState;
import org.dpnas.common.run.MetricsLog;
import org.dpnas.common.search.MultiTrialSearchTest.Num;
import org.dpnas.common.search.MultiTrialSearchTest.Numbers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The asynchronous driver with a scripted scheduler: children finish out of the order they were
 * proposed, the strategy is told each result as it arrives, and a search killed at any point and
 * run again ends with exactly the files of an uninterrupted run.
 */
class AsyncMultiTrialSearchTest {

    /**
     * A scheduler on a clock that advances by one at every poll: the job of child x runs {@code 1 +
     * x % 4} ticks after its submission, then writes the child's result ({@code −|x − 42|}) and its
     * exit file, as a real job would. The state lives in the object, so a second driver (a
     * re-attached submitter) sees the jobs of the first.
     */
    static final class ClockLauncher implements TrialLauncher {
        private static final Pattern RUN = Pattern.compile("'--run-dir' '([^']*)'");
        private static final Pattern GENOTYPE = Pattern.compile("'--genotype' '([^']*)'");

        record Running(Path script, Path runDir, int x, long end, boolean cancel) {}

        final Map<String, Running> jobs = new LinkedHashMap<>();
        final Set<Integer> cancelX;
        final List<Integer> started = new ArrayList<>();
        long tick;

        ClockLauncher(Set<Integer> cancelX) {
            this.cancelX = cancelX;
        }

        @Override
        public String backend() {
            return "local";
        }

        @Override
        public int capacity() {
            return Integer.MAX_VALUE;
        }

        @Override
        public List<Job> submit(List<Path> scripts, Path jobsDir, String jobName)
                throws IOException {
            List<Job> out = new ArrayList<>();
            for (Path s : scripts) {
                String text = Files.readString(s);
                Path run = Path.of(find(RUN, text));
                int x = new Numbers().read(Path.of(find(GENOTYPE, text))).x();
                String id = "clock:" + jobs.size();
                jobs.put(id, new Running(s, run, x, tick + 1 + x % 4, cancelX.contains(x)));
                started.add(x);
                out.add(new Job(id, jobsDir.resolve(id + ".log"), s));
            }
            return out;
        }

        private static String find(Pattern p, String text) {
            Matcher m = p.matcher(text);
            assertTrue(m.find(), p + " in " + text);
            return m.group(1);
        }

        @Override
        public Map<String, JobStatus> poll(Collection<Job> js) throws IOException {
            tick++;
            Map<String, JobStatus> st = new LinkedHashMap<>();
            for (Job j : js) {
                Running r = jobs.get(j.id());
                if (tick < r.end()) {
                    st.put(j.id(), new JobStatus(TrialState.RUNNING, "RUNNING", "", ""));
                } else if (r.cancel()) {
                    st.put(j.id(), JobStatus.ofSlurm("CANCELLED by 0", "0:15", ""));
                } else {
                    if (!Files.exists(r.runDir().resolve(ChildProcesses.RESULT_FILE))) {
                        Files.createDirectories(r.runDir());
                        ChildProcesses.writeResult(
                                r.runDir(),
                                new Evaluator.Result(
                                        Map.of("x", (double) r.x()), -Math.abs(r.x() - 42)));
                        Files.writeString(TrialScript.exitFile(r.script()), "0\n");
                    }
                    st.put(j.id(), new JobStatus(TrialState.COMPLETED, "COMPLETED", "0:0", ""));
                }
            }
            return st;
        }

        @Override
        public void cancel(Collection<Job> js) {}
    }

    /** Thrown by {@link Dying} to stand for the submitter's death. */
    static final class Killed extends RuntimeException {
        Killed(int call) {
            super("killed at strategy call " + call);
        }
    }

    /** Random search that dies at its {@code killAt}-th propose or observe (1-based; 0: never). */
    static final class Dying implements SearchStrategy<Num> {
        final RandomSearch<Num> inner;
        final int killAt;
        int calls;

        Dying(int killAt) {
            this.inner = new RandomSearch<>(new Numbers(), 5);
            this.killAt = killAt;
        }

        private void count() {
            if (++calls == killAt) {
                throw new Killed(calls);
            }
        }

        @Override
        public Num propose() {
            count();
            return inner.propose();
        }

        @Override
        public void observe(Trial<Num> trial) {
            count();
            inner.observe(trial);
        }

        @Override
        public Optional<Trial<Num>> best() {
            return inner.best();
        }

        @Override
        public JsonObject state() {
            return inner.state();
        }

        @Override
        public void restore(JsonObject state) {
            inner.restore(state);
        }
    }

    private static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());

    private static MultiTrialSearch<Num> driver(
            Path dir, SearchStrategy<Num> s, ClockLauncher l, int parallel) {
        ChildProcesses c =
                new ChildProcesses(
                        l,
                        parallel,
                        0,
                        "dpnas",
                        0.001,
                        (g, run) ->
                                List.of(
                                        "trial",
                                        "toy",
                                        "--genotype",
                                        g.toString(),
                                        "--run-dir",
                                        run.toString()));
        return new MultiTrialSearch<>(new Numbers(), s, c, dir, QUIET);
    }

    private static List<JsonObject> events(Path dir) throws IOException {
        return MetricsLog.read(dir.resolve("search/events.jsonl"));
    }

    @Test
    void resultsArriveOutOfOrderAndEachArrivalIsFollowedByOneProposal(@TempDir Path dir)
            throws Exception {
        ClockLauncher l = new ClockLauncher(Set.of());
        List<Trial<Num>> t = driver(dir, new RandomSearch<>(new Numbers(), 5), l, 3).run(8);
        assertEquals(8, t.size());
        List<Integer> ids = t.stream().map(Trial::id).toList();
        assertNotEquals(ids.stream().sorted().toList(), ids, "arrival order is not id order");
        // the children are the seed's uniform draws, in proposal order
        Random r = new Random(5);
        List<Integer> draws = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            draws.add(r.nextInt(100));
        }
        assertEquals(draws, l.started);
        for (Trial<Num> x : t) {
            assertEquals(draws.get(x.id()), x.genotype().x());
            assertEquals(-Math.abs(x.genotype().x() - 42), x.score());
        }
        // the event log: three proposals, then each arrival followed by one proposal until 8
        List<String> kinds = new ArrayList<>();
        for (JsonObject e : events(dir)) {
            kinds.add(e.get("event").getAsString().substring(0, 1));
        }
        assertEquals("ppprprprprprprrr", String.join("", kinds));
        // history.jsonl: the scored trials in arrival order, step = results so far
        List<JsonObject> h = MetricsLog.read(dir.resolve("search/history.jsonl"));
        assertEquals(8, h.size());
        for (int i = 0; i < 8; i++) {
            assertEquals(i + 1, h.get(i).get("step").getAsInt());
            assertEquals(ids.get(i), h.get(i).get("id").getAsInt());
            assertEquals(
                    h.get(i).getAsJsonObject("state"),
                    events(dir).stream()
                            .filter(e -> e.get("event").getAsString().equals("result"))
                            .toList()
                            .get(i)
                            .getAsJsonObject("state"));
        }
        int best = draws.stream().min((a, b) -> Math.abs(a - 42) - Math.abs(b - 42)).get();
        assertEquals(new Num(best), new Numbers().read(dir.resolve("best/genotype.json")));
    }

    /**
     * Kill the submitter at every propose and observe of the search in turn; the rerun, with a
     * fresh strategy and the same (still running) scheduler, must end with the same events, history
     * and children as a run that was never killed.
     */
    @Test
    void aSearchKilledAnywhereResumesToTheSameFiles(@TempDir Path tmp) throws Exception {
        Path whole = tmp.resolve("whole");
        driver(whole, new Dying(0), new ClockLauncher(Set.of()), 3).run(7);
        String events = Files.readString(whole.resolve("search/events.jsonl"));
        String history = Files.readString(whole.resolve("search/history.jsonl"));
        int calls = 7 + 7; // seven proposals, seven observations
        for (int k = 1; k <= calls; k++) {
            Path cut = tmp.resolve("cut" + k);
            ClockLauncher l = new ClockLauncher(Set.of());
            int at = k;
            assertThrows(Killed.class, () -> driver(cut, new Dying(at), l, 3).run(7));
            int startedBefore = l.started.size();
            List<Trial<Num>> rest = driver(cut, new Dying(0), l, 3).run(7);
            assertEquals(7, rest.size(), "kill at " + k);
            assertEquals(events, Files.readString(cut.resolve("search/events.jsonl")), "kill " + k);
            assertEquals(
                    history, Files.readString(cut.resolve("search/history.jsonl")), "kill " + k);
            assertEquals(7, l.started.size(), "kill at " + k + ": no child ran twice");
            assertTrue(startedBefore <= 7);
        }
    }

    @Test
    void aCancelledChildIsRecordedNotObservedAndReplaced(@TempDir Path dir) throws Exception {
        Random r = new Random(5);
        int second = -1;
        for (int i = 0; i < 2; i++) {
            second = r.nextInt(100);
        }
        ClockLauncher l = new ClockLauncher(Set.of(second));
        MultiTrialSearch<Num> s = driver(dir, new RandomSearch<>(new Numbers(), 5), l, 2);
        List<Trial<Num>> t = s.run(5);
        assertEquals(4, t.size());
        assertEquals(1, s.failures());
        assertTrue(t.stream().noneMatch(x -> x.id() == 1), "trial 1 was cancelled");
        JsonObject failed =
                events(dir).stream()
                        .filter(e -> e.get("event").getAsString().equals("failed"))
                        .findFirst()
                        .orElseThrow();
        assertEquals(1, failed.get("id").getAsInt());
        assertEquals("CANCELLED", failed.get("outcome").getAsString());
        assertEquals(5, l.started.size(), "five proposed, one of them cancelled");
        // rerun: nothing to do, nothing submitted
        MultiTrialSearch<Num> again = driver(dir, new RandomSearch<>(new Numbers(), 5), l, 2);
        assertEquals(4, again.run(5).size());
        assertEquals(5, l.started.size());
    }

    @Test
    void aStrategyThatDoesNotReplayIsRefusedNamingTheTrial(@TempDir Path dir) throws Exception {
        ClockLauncher l = new ClockLauncher(Set.of());
        assertThrows(Killed.class, () -> driver(dir, new Dying(3), l, 2).run(4));
        // another seed proposes other children than the ones in flight
        var e =
                assertThrows(
                        IllegalStateException.class,
                        () -> driver(dir, new RandomSearch<>(new Numbers(), 6), l, 2).run(4));
        assertTrue(e.getMessage().contains("as trial 0"), e.getMessage());
    }

    @Test
    void aSearchRunInProcessIsNotContinuedAsProcesses(@TempDir Path dir) throws Exception {
        Numbers space = new Numbers();
        new MultiTrialSearch<>(
                        space,
                        new RandomSearch<>(space, 5),
                        TrialRunner.inProcess(new MultiTrialSearchTest.Recorder()),
                        dir,
                        QUIET)
                .run(1);
        var e =
                assertThrows(
                        IllegalStateException.class,
                        () ->
                                driver(
                                                dir,
                                                new RandomSearch<>(space, 5),
                                                new ClockLauncher(Set.of()),
                                                2)
                                        .run(2));
        assertTrue(e.getMessage().contains("inprocess"), e.getMessage());
    }
}
