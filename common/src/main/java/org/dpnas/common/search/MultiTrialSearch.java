package org.dpnas.common.search;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * @param <G> the genotype type
 */
public final class MultiTrialSearch<G extends Genotype> {

    private final SearchSpace<G> space;
    private final SearchStrategy<G> strategy;
    private final TrialRunner<G> runner;
    private final Path dir;
    private final PrintStream console;

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
        this.dir = dir;
        this.console = console;
    }

    /** {@code search/history.jsonl}. */
    public Path history() {
        return dir.resolve("search/history.jsonl");
    }

    /** {@code search/state.json}. */
    public Path state() {
        return dir.resolve("search/state.json");
    }

    /**
     * Runs until {@code trials} trials have finished, resuming from the history and state files
     * when they exist.
     *
     * @param trials the total number of trials
     * @return every finished trial, in order
     */
    public List<Trial<G>> run(int trials) throws Exception {
        if (trials < 1) {
            throw new IllegalArgumentException("trials must be at least 1, got " + trials);
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
