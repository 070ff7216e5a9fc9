package org.dpnas.common.search;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.dpnas.common.config.Config;
import org.dpnas.common.launch.LocalLauncher;
import org.dpnas.common.launch.Shell;
import org.dpnas.common.launch.SlurmLauncher;
import org.dpnas.common.launch.SlurmSettings;
import org.dpnas.common.launch.TrialCommand;
import org.dpnas.common.launch.TrialLauncher;
import org.dpnas.common.launch.TrialPool;
import org.dpnas.common.launch.TrialRecord;
import org.dpnas.common.launch.TrialScript;
import org.dpnas.common.launch.TrialState;
import org.dpnas.common.run.AtomicFiles;
import org.dpnas.common.run.MetricsLog;

/**
 * The driver of a multi-trial search: asks the strategy for a child, runs it as one trial (its own
 * run directory {@code trials/trial-NNNN} under the search directory), tells the strategy the
 * result, and records everything so that a killed search resumes without rerunning finished trials.
 *
 * <p>Files under the search directory: {@code search/history.jsonl} (one line per finished trial:
 * {@code step} = trials finished, id, genotype, dir, metrics, score, and the strategy's state after
 * observing it — one line is written at once, so the history and the state never disagree), {@code
 * search/state.json} (a copy of the last state, for reading), {@code best/genotype.json} and {@code
 * best/trial.json}.
 *
 * <p>With {@link ChildProcesses} the children run as separate {@code dpnas} processes through a
 * {@link TrialPool} (local slots or Slurm jobs, pool directory {@code launch/}), up to {@code
 * parallel} at once, and the strategy is told each result as it arrives. {@code
 * search/events.jsonl} then records, one line each and in order, every proposal ({@code propose}:
 * id, genotype, dir) and every arrival ({@code result}: the trial and the strategy's state after
 * observing it; {@code failed}: a child that ended without a result, cancelled or failed after its
 * retries, which the strategy is not told). The rule is fixed: fill up to {@code parallel}
 * children, then after each arrival observe it and propose one replacement while fewer than {@code
 * trials} were proposed; so the proposals are a function of the arrival order. A search killed at
 * any point and run again restores the state of its last arrival, proposes again what it had
 * proposed after it (and checks that it gets the same genotypes), re-attaches to the children still
 * running, reruns nothing finished and goes on exactly as an uninterrupted run with the same
 * arrival order would. {@code search/history.jsonl} holds the scored children in arrival order
 * ({@code step} = scored so far).
 *
 * @param <G> the genotype type
 */
public final class MultiTrialSearch<G extends Genotype> {

    private final SearchSpace<G> space;
    private final SearchStrategy<G> strategy;
    private final TrialRunner<G> runner;
    private final ChildProcesses children;
    private final Path dir;
    private final PrintStream console;
    private int failures;

    /**
     * Creates the driver.
     *
     * @param space the space (reads the genotypes of the history)
     * @param strategy the strategy
     * @param runner runs one trial
     * @param dir the search directory
     * @param console where progress goes
     */
    public MultiTrialSearch(
            SearchSpace<G> space,
            SearchStrategy<G> strategy,
            TrialRunner<G> runner,
            Path dir,
            PrintStream console) {
        this.space = space;
        this.strategy = strategy;
        this.runner = runner;
        this.children = null;
        this.dir = dir;
        this.console = console;
    }

    /**
     * Creates the driver of a search whose children run as separate processes, asynchronously.
     *
     * @param space the space (reads and writes the genotypes)
     * @param strategy the strategy
     * @param children where and how the children run
     * @param dir the search directory
     * @param console where progress goes
     */
    public MultiTrialSearch(
            SearchSpace<G> space,
            SearchStrategy<G> strategy,
            ChildProcesses children,
            Path dir,
            PrintStream console) {
        this.space = space;
        this.strategy = strategy;
        this.runner = null;
        this.children = children;
        this.dir = dir;
        this.console = console;
    }

    /**
     * The driver of a multi-trial search over a method's space as its configuration asks: with no
     * {@code trials} section or {@code trials.backend = "inprocess"} the children run one after
     * another in this process with {@link SearchMethod#evaluator}; with {@code "local"} or {@code
     * "slurm"} each child is a {@code dpnas trial METHOD} process ({@code trials.parallel} at once,
     * {@code trials.slots}, {@code trials.retries}, {@code trials.poll}, {@code trials.exec},
     * {@code trials.slurm.*}; see {@link #trialsDefaults}) that rebuilds the same evaluator from
     * the configuration, so a child's result does not depend on where it ran.
     *
     * @param method the method (names the child verb and provides the evaluator)
     * @param space the method's space at this configuration
     * @param strategy the strategy
     * @param config the search's resolved configuration
     * @param dir the search directory
     * @param console where progress goes
     * @param <G> the genotype type
     * @return the driver
     * @throws IllegalArgumentException naming the {@code trials.*} key that is wrong
     */
    @SuppressWarnings("unchecked")
    public static <G extends Genotype> MultiTrialSearch<G> forConfig(
            SearchMethod method,
            SearchSpace<G> space,
            SearchStrategy<G> strategy,
            Config config,
            Path dir,
            PrintStream console)
            throws IOException {
        Optional<ChildProcesses> c =
                childProcesses(
                        config,
                        dir,
                        (genotype, runDir) ->
                                List.of(
                                        "trial",
                                        method.name(),
                                        "--config",
                                        childConfig(dir).toString(),
                                        "--genotype",
                                        genotype.toString(),
                                        "--run-dir",
                                        runDir.toString()));
        if (c.isEmpty()) {
            Evaluator<G> evaluator = (Evaluator<G>) method.evaluator(config);
            return new MultiTrialSearch<>(
                    space, strategy, TrialRunner.inProcess(evaluator), dir, console);
        }
        return new MultiTrialSearch<>(space, strategy, c.get(), dir, console);
    }

    /**
     * The {@code trials} section a multi-trial search's defaults carry (the {@code dpnas search}
     * options {@code --backend}, {@code --parallel}, {@code --slots}, {@code --retries}, {@code
     * --poll}, {@code --exec} set it): {@code backend} inprocess, local or slurm; {@code parallel}
     * children in flight; {@code slots} local processes (0: {@code parallel}) or the Slurm array
     * throttle (0: none); {@code retries}; {@code poll} seconds; {@code exec} the shell words that
     * run {@code dpnas} in a job ({@code ""}: {@code DPNAS_HOME/dpnas}); {@code slurm} the job
     * resources ({@code partition}, {@code time}, {@code cpus_per_task}, {@code mem}, {@code gres},
     * {@code account}, {@code extra_args}).
     *
     * @return a fresh copy
     */
    public static JsonObject trialsDefaults() {
        return JsonParser.parseString(
                        "{\"backend\": \"inprocess\", \"parallel\": 1, \"slots\": 0,"
                                + " \"retries\": 0, \"poll\": 2.0, \"exec\": \"\","
                                + " \"slurm\": {\"partition\": null, \"time\": null,"
                                + " \"cpus_per_task\": 0, \"mem\": null, \"gres\": null,"
                                + " \"account\": null, \"extra_args\": []}}")
                .getAsJsonObject();
    }

    /**
     * The child processes a configuration's {@code trials} section asks for, or empty when the
     * children run in this process.
     *
     * @param config the search's resolved configuration
     * @param dir the search directory (the children's configuration is written under it)
     * @param args the child's command line
     * @return the child processes, or empty for {@code trials.backend = "inprocess"}
     * @throws IllegalArgumentException naming the {@code trials.*} key that is wrong
     */
    public static Optional<ChildProcesses> childProcesses(
            Config config, Path dir, ChildProcesses.ChildArgs args) throws IOException {
        Optional<ChildProcesses> c = build(config, args);
        if (c.isPresent()) {
            AtomicFiles.writeString(childConfig(dir), config.asJsonObject().toString() + "\n");
        }
        return c;
    }

    /**
     * Checks a configuration's {@code trials} section without writing anything (to refuse a bad
     * setting before a run directory is touched).
     *
     * @param config the search's resolved configuration
     * @throws IllegalArgumentException naming the {@code trials.*} key that is wrong
     */
    public static void checkTrials(Config config) {
        build(config, (genotype, runDir) -> List.of());
    }

    private static Optional<ChildProcesses> build(Config config, ChildProcesses.ChildArgs args) {
        if (!config.has("trials")) {
            return Optional.empty();
        }
        Config t = config.sub("trials");
        String backend = t.getString("backend");
        int parallel = t.getInt("parallel");
        int slots = t.getInt("slots");
        if (parallel < 1) {
            throw new IllegalArgumentException(
                    "trials.parallel (--parallel) must be at least 1, got " + parallel);
        }
        if (slots < 0) {
            throw new IllegalArgumentException("trials.slots (--slots) must be >= 0, got " + slots);
        }
        TrialLauncher launcher;
        switch (backend) {
            case "inprocess" -> {
                if (parallel != 1) {
                    throw new IllegalArgumentException(
                            "trials.parallel (--parallel) "
                                    + parallel
                                    + " needs trials.backend (--backend) local or slurm: children"
                                    + " in this process run one at a time (one gradient"
                                    + " collector per JVM)");
                }
                return Optional.empty();
            }
            case "local" -> launcher = new LocalLauncher(slots == 0 ? parallel : slots, List.of());
            case "slurm" ->
                    launcher =
                            new SlurmLauncher(
                                    SlurmSettings.fromConfig(t.sub("slurm")).withThrottle(slots),
                                    Shell.system());
            default ->
                    throw new IllegalArgumentException(
                            "trials.backend (--backend) expects inprocess, local or slurm, got '"
                                    + backend
                                    + "'");
        }
        String exec = t.getString("exec");
        if (exec.isBlank()) {
            String home = System.getProperty("dpnas.home");
            if (home == null) {
                throw new IllegalArgumentException(
                        "cannot tell where the dpnas command is (no -Ddpnas.home); set"
                                + " trials.exec (--exec)");
            }
            exec = TrialScript.quote(Path.of(home).toAbsolutePath().resolve("dpnas").toString());
        }
        return Optional.of(
                new ChildProcesses(
                        launcher, parallel, t.getInt("retries"), exec, t.getDouble("poll"), args));
    }

    /** {@code search/child-config.json}: the configuration every child process reads. */
    public static Path childConfig(Path dir) {
        return dir.toAbsolutePath().resolve("search/child-config.json");
    }

    /** {@code search/history.jsonl}. */
    public Path history() {
        return dir.resolve("search/history.jsonl");
    }

    /** {@code search/state.json}. */
    public Path state() {
        return dir.resolve("search/state.json");
    }

    /** {@code search/events.jsonl} (children run as processes only). */
    public Path events() {
        return dir.resolve("search/events.jsonl");
    }

    /** Children that ended without a result (cancelled, or failed after their retries). */
    public int failures() {
        return failures;
    }

    /**
     * Runs until {@code trials} trials have finished, resuming from the history and state files
     * when they exist.
     *
     * @param trials the total number of trials
     * @return every scored trial, in the order the results arrived
     */
    public List<Trial<G>> run(int trials) throws Exception {
        if (trials < 1) {
            throw new IllegalArgumentException("trials must be at least 1, got " + trials);
        }
        if (children != null) {
            return new Async(trials).run();
        }
        if (Files.exists(events())) {
            throw new IllegalStateException(
                    dir
                            + " ran its children as separate processes ("
                            + events()
                            + "); continue it with the same trials.backend (--backend)");
        }
        List<Trial<G>> done = resume();
        try (MetricsLog log = new MetricsLog(history())) {
            if (!done.isEmpty()) {
                log.truncateAfter(done.size()); // drops a line torn by a killed process
            }
            for (int id = done.size(); id < trials; id++) {
                G child = strategy.propose();
                String name = String.format("trials/trial-%04d", id);
                console.println("trial " + (id + 1) + "/" + trials + ": " + dir.resolve(name));
                Evaluator.Result r = runner.run(child, dir.resolve(name));
                Trial<G> t = new Trial<>(id, child, name, r.metrics(), r.score());
                strategy.observe(t);
                JsonObject record = toJson(t);
                record.add("state", strategy.state());
                log.append(record);
                AtomicFiles.writeString(state(), strategy.state().toString() + "\n");
                done.add(t);
                writeBest();
                console.println("trial " + id + " score " + r.score());
            }
        }
        return done;
    }

    /** Replays the history into the strategy and restores its state; returns the trials. */
    private List<Trial<G>> resume() throws IOException {
        List<Trial<G>> done = new ArrayList<>();
        if (!Files.exists(history())) {
            return done;
        }
        for (JsonObject o : MetricsLog.read(history())) {
            G g = space.fromJson(o.get("genotype").toString());
            Map<String, Double> m = new LinkedHashMap<>();
            for (var e : o.getAsJsonObject("metrics").entrySet()) {
                m.put(e.getKey(), e.getValue().getAsDouble());
            }
            Trial<G> t =
                    new Trial<>(
                            o.get("id").getAsInt(),
                            g,
                            o.get("dir").getAsString(),
                            m,
                            o.get("score").getAsDouble());
            if (t.id() != done.size()) {
                throw new IllegalStateException(
                        history()
                                + ": trial "
                                + t.id()
                                + " where "
                                + done.size()
                                + " was expected");
            }
            strategy.observe(t);
            done.add(t);
        }
        if (!done.isEmpty()) {
            List<JsonObject> all = MetricsLog.read(history());
            JsonObject last = all.get(all.size() - 1);
            if (!last.has("state") || !last.get("state").isJsonObject()) {
                throw new IllegalStateException(history() + ": the last trial has no 'state'");
            }
            strategy.restore(last.getAsJsonObject("state"));
        }
        return done;
    }

    /** One run of a search whose children are processes (see the class comment). */
    private final class Async {
        private final int trials;
        private final List<G> proposed = new ArrayList<>();
        private final Set<Integer> open = new LinkedHashSet<>();
        private final List<Trial<G>> scored = new ArrayList<>();
        private final List<JsonObject> scoredLines = new ArrayList<>();
        private int events;
        private MetricsLog eventLog;
        private MetricsLog historyLog;
        private TrialPool pool;

        Async(int trials) {
            this.trials = trials;
        }

        List<Trial<G>> run() throws Exception {
            if (Files.exists(history()) && !Files.exists(events())) {
                throw new IllegalStateException(
                        dir
                                + " ran its children in this process ("
                                + history()
                                + " but no "
                                + events()
                                + "); continue it with trials.backend (--backend) inprocess");
            }
            replay();
            try (TrialPool p =
                            TrialPool.attach(
                                    dir.resolve("launch"),
                                    children.launcher(),
                                    children.exec(),
                                    children.retries(),
                                    "dpnas-" + space.method());
                    MetricsLog ev = new MetricsLog(events());
                    MetricsLog hist = new MetricsLog(history())) {
                pool = p;
                eventLog = ev;
                historyLog = hist;
                if (events > 0) {
                    ev.truncateAfter(events); // drops a line torn by a killed process
                }
                syncHistory();
                for (int id : open) {
                    if (!Files.exists(genotypeFile(id))) {
                        space.write(proposed.get(id), genotypeFile(id));
                    }
                    pool.add(command(id));
                }
                if (events > 0) {
                    console.println(
                            "re-attached: "
                                    + scored.size()
                                    + " scored, "
                                    + failures
                                    + " failed, "
                                    + open.size()
                                    + " in flight of "
                                    + trials);
                }
                Thread hook = new Thread(this::interrupt, "dpnas-search-interrupt");
                Runtime.getRuntime().addShutdownHook(hook);
                try {
                    loop();
                } finally {
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException e) {
                        // shutting down: the hook runs
                    }
                }
            }
            return scored;
        }

        /** Reads the events: proposals, arrivals, the last state; restores the strategy. */
        private void replay() throws IOException {
            JsonObject last = null;
            int proposedAtLast = 0;
            for (JsonObject o : MetricsLog.read(events())) {
                events++;
                if (o.get("step").getAsInt() != events) {
                    throw new IllegalStateException(
                            events()
                                    + ": event "
                                    + o.get("step")
                                    + " where "
                                    + events
                                    + " was expected");
                }
                String kind = o.has("event") ? o.get("event").getAsString() : "";
                int id = o.get("id").getAsInt();
                switch (kind) {
                    case "propose" -> {
                        if (id != proposed.size()) {
                            throw new IllegalStateException(
                                    events()
                                            + ": proposal "
                                            + id
                                            + " where "
                                            + proposed.size()
                                            + " was expected");
                        }
                        proposed.add(space.fromJson(o.get("genotype").toString()));
                        open.add(id);
                    }
                    case "result", "failed" -> {
                        if (!open.remove(id)) {
                            throw new IllegalStateException(
                                    events()
                                            + ": event "
                                            + events
                                            + " ends trial "
                                            + id
                                            + ", which is not in flight");
                        }
                        if (!o.has("state") || !o.get("state").isJsonObject()) {
                            throw new IllegalStateException(
                                    events() + ": event " + events + " has no 'state'");
                        }
                        last = o.getAsJsonObject("state");
                        proposedAtLast = proposed.size();
                        if (kind.equals("failed")) {
                            failures++;
                        } else {
                            Trial<G> t = trialOf(o, proposed.get(id));
                            strategy.observe(t);
                            scored.add(t);
                            scoredLines.add(historyLine(t, last));
                        }
                    }
                    default ->
                            throw new IllegalStateException(
                                    events() + ": event " + events + " has no known 'event'");
                }
            }
            if (last != null) {
                strategy.restore(last);
            }
            for (int id = proposedAtLast; id < proposed.size(); id++) {
                G again = strategy.propose();
                if (!JsonParser.parseString(again.toJson())
                        .equals(JsonParser.parseString(proposed.get(id).toJson()))) {
                    throw new IllegalStateException(
                            events()
                                    + ": restored from its last state, the strategy proposes "
                                    + again.toJson().strip()
                                    + " as trial "
                                    + id
                                    + " where the search had proposed "
                                    + proposed.get(id).toJson().strip()
                                    + " (was the strategy's configuration changed?)");
                }
            }
        }

        private Trial<G> trialOf(JsonObject o, G genotype) {
            Map<String, Double> m = new LinkedHashMap<>();
            for (var e : o.getAsJsonObject("metrics").entrySet()) {
                m.put(e.getKey(), e.getValue().getAsDouble());
            }
            return new Trial<>(
                    o.get("id").getAsInt(),
                    genotype,
                    o.get("dir").getAsString(),
                    m,
                    o.get("score").getAsDouble());
        }

        private JsonObject historyLine(Trial<G> t, JsonObject state) {
            JsonObject h = toJson(t);
            h.addProperty("step", scored.size());
            h.add("state", state);
            return h;
        }

        /** Makes history.jsonl hold exactly the scored trials (a kill may have cut it short). */
        private void syncHistory() throws IOException {
            int have = MetricsLog.read(history()).size();
            if (have > 0 || Files.exists(history())) {
                historyLog.truncateAfter(Math.min(have, scored.size()));
            }
            for (int i = Math.min(have, scored.size()); i < scored.size(); i++) {
                historyLog.append(scoredLines.get(i));
            }
        }

        /**
         * Fills up to {@code parallel} children, then: look at the pool, handle every child that
         * ended (in the order the pool lists them, which is the order they were proposed), wait,
         * step the pool (poll, submit). Children that ended before a kill are handled first.
         */
        private void loop() throws Exception {
            while (open.size() < children.parallel() && proposed.size() < trials) {
                propose();
            }
            boolean stepped = false;
            while (scored.size() + failures < trials) {
                if (stepped) {
                    pool.step();
                }
                boolean moved = false;
                for (TrialRecord r : pool.records()) {
                    int id = idOf(r.id());
                    if (r.state().isFinal() && open.contains(id)) {
                        arrive(id, r);
                        moved = true;
                    }
                }
                if (!moved && stepped && scored.size() + failures < trials) {
                    Thread.sleep(Math.round(children.pollSeconds() * 1000));
                }
                stepped = true;
            }
        }

        private void arrive(int id, TrialRecord r) throws Exception {
            open.remove(id);
            String name = name(id);
            Evaluator.Result res = null;
            String why = r.state() + ": " + r.message();
            if (r.state() == TrialState.COMPLETED) {
                try {
                    res = ChildProcesses.readResult(dir.resolve(name));
                } catch (IOException e) {
                    why = "FAILED: " + e.getMessage();
                }
            }
            if (res != null) {
                Trial<G> t = new Trial<>(id, proposed.get(id), name, res.metrics(), res.score());
                strategy.observe(t);
                JsonObject state = strategy.state();
                JsonObject e = event("result", id);
                for (var f : toJson(t).entrySet()) {
                    if (!f.getKey().equals("step")) {
                        e.add(f.getKey(), f.getValue());
                    }
                }
                e.add("state", state);
                eventLog.append(e);
                scored.add(t);
                JsonObject h = historyLine(t, state);
                scoredLines.add(h);
                historyLog.append(h);
                AtomicFiles.writeString(state(), state.toString() + "\n");
                writeBest();
                console.println(
                        "trial "
                                + id
                                + " score "
                                + res.score()
                                + " (result "
                                + scored.size()
                                + " of "
                                + trials
                                + ")");
            } else {
                JsonObject e = event("failed", id);
                e.addProperty("dir", name);
                e.addProperty("outcome", why.substring(0, why.indexOf(':')));
                e.addProperty("message", why);
                e.add("state", strategy.state());
                eventLog.append(e);
                failures++;
                console.println("trial " + id + " ended without a result, " + why);
            }
            if (proposed.size() < trials) {
                propose();
            }
        }

        private void propose() throws IOException {
            G g = strategy.propose();
            int id = proposed.size();
            proposed.add(g);
            open.add(id);
            space.write(g, genotypeFile(id));
            JsonObject e = event("propose", id);
            e.add("genotype", JsonParser.parseString(g.toJson()));
            e.addProperty("dir", name(id));
            eventLog.append(e);
            pool.add(command(id));
            console.println(
                    "trial "
                            + (id + 1)
                            + "/"
                            + trials
                            + ": "
                            + dir.resolve(name(id))
                            + " ("
                            + open.size()
                            + " in flight)");
        }

        private JsonObject event(String kind, int id) {
            JsonObject e = new JsonObject();
            e.addProperty("step", ++events);
            e.addProperty("event", kind);
            e.addProperty("id", id);
            return e;
        }

        private TrialCommand command(int id) {
            Path run = dir.toAbsolutePath().resolve(name(id));
            List<String> args = children.args().args(genotypeFile(id), run);
            return new TrialCommand(
                    String.format("trial-%04d", id), args, args, run, ChildProcesses.RESULT_FILE);
        }

        private Path genotypeFile(int id) {
            return dir.toAbsolutePath()
                    .resolve(String.format("search/children/trial-%04d.json", id));
        }

        private int idOf(String poolId) {
            return Integer.parseInt(poolId.substring("trial-".length()));
        }

        private void interrupt() {
            try {
                List<TrialRecord> c =
                        pool.cancelAll(
                                TrialState.INTERRUPTED,
                                "interrupted: its job was cancelled when the search stopped; the"
                                        + " next run of the search submits it again");
                console.println(
                        "\ninterrupted: cancelled "
                                + c.size()
                                + " running or pending children; rerun the search with --resume to"
                                + " continue");
            } catch (IOException | RuntimeException e) {
                console.println("\ninterrupted: could not cancel the children: " + e.getMessage());
            }
        }
    }

    private static String name(int id) {
        return String.format("trials/trial-%04d", id);
    }

    private JsonObject toJson(Trial<G> t) {
        JsonObject o = new JsonObject();
        o.addProperty("step", t.id() + 1);
        o.addProperty("id", t.id());
        o.add("genotype", JsonParser.parseString(t.genotype().toJson()));
        o.addProperty("dir", t.dir());
        JsonObject m = new JsonObject();
        t.metrics().forEach(m::addProperty);
        o.add("metrics", m);
        o.addProperty("score", t.score());
        return o;
    }

    private void writeBest() throws IOException {
        var best = strategy.best();
        if (best.isPresent()) {
            space.write(best.get().genotype(), dir.resolve("best/genotype.json"));
            AtomicFiles.writeString(
                    dir.resolve("best/trial.json"), toJson(best.get()).toString() + "\n");
        }
    }
}
