package org.dpnas.common.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import org.dpnas.common.run.CurvePlot;
import org.dpnas.common.run.MetricsLog;
import org.dpnas.common.run.ProgressBar;
import org.dpnas.common.run.RunDirectory;

/**
 * The training loop every method shares: it runs steps, each inside its own sub-manager so that
 * nothing a step allocates outlives it; logs to {@code metrics.jsonl}; evaluates, checkpoints and
 * resumes; stops on a non-finite loss; and at the end writes {@code summary.csv} and {@code
 * curves.png}.
 *
 * <p>Losses stay on the device until a log, evaluation or checkpoint boundary, where they are read
 * in one transfer, so a step costs no host synchronisation. A NaN or infinite loss is detected
 * there, the exact step is named, and no checkpoint is written after it: the last checkpoint on
 * disk is always a good one. Log records are written at every multiple of {@code logEvery} and
 * {@code checkpointEvery}, so a resumed run writes exactly the records of an uninterrupted one.
 */
public final class TrainLoop {

    /** One training step: forward, backward and parameter updates. */
    @FunctionalInterface
    public interface Step {
        /**
         * Runs step {@code t} (from 0).
         *
         * @param stepManager the step's manager; the returned loss must live in it
         * @param t the step index
         * @return the 0-d loss of the step
         */
        NDArray run(NDManager stepManager, long t) throws Exception;
    }

    /** An evaluation of the current model, returning named metrics (e.g. {@code mIoU}). */
    @FunctionalInterface
    public interface Evaluation {
        /** Evaluates after {@code step} completed steps. */
        Map<String, Double> evaluate(long step) throws Exception;
    }

    /**
     * Loop settings.
     *
     * @param maxSteps total steps of the run
     * @param logEvery steps between log records
     * @param evalEvery steps between evaluations (0: only at the end)
     * @param checkpointEvery steps between checkpoints (a checkpoint is also written at the end)
     * @param keepCheckpoints how many checkpoints to keep
     * @param itemsPerStep images per step, for throughput
     * @param label name shown by the progress bar
     * @param primaryMetric the evaluation metric plotted and tracked as best (e.g. {@code mIoU})
     */
    public record Options(
            long maxSteps,
            long logEvery,
            long evalEvery,
            long checkpointEvery,
            int keepCheckpoints,
            int itemsPerStep,
            String label,
            String primaryMetric) {

        /** Validates the settings. */
        public Options {
            if (maxSteps < 1) {
                throw new IllegalArgumentException("max_steps must be >= 1, got " + maxSteps);
            }
            if (logEvery < 1 || checkpointEvery < 1 || evalEvery < 0) {
                throw new IllegalArgumentException(
                        "log_every and checkpoint_every must be >= 1 and eval_every >= 0");
            }
        }
    }

    /**
     * What a run produced.
     *
     * @param startStep the step the run started (or resumed) from
     * @param steps the steps completed at the end
     * @param lastLoss mean loss of the last logged window
     * @param lastEval the final evaluation's metrics
     * @param lastCheckpoint the final checkpoint
     * @param seconds wall time of this process's part of the run
     */
    public record Result(
            long startStep,
            long steps,
            double lastLoss,
            Map<String, Double> lastEval,
            Path lastCheckpoint,
            double seconds) {}

    private final NDManager base;
    private final Block model;
    private final List<ParamGroup> groups;
    private final RunDirectory run;
    private final Options options;
    private final PrintStream console;
    private final Checkpointer checkpointer;
    private LongFunction<JsonObject> logFields = t -> new JsonObject();
    private final Map<String, Supplier<JsonElement>> stateOut = new LinkedHashMap<>();
    private final Map<String, Consumer<JsonElement>> stateIn = new LinkedHashMap<>();

    /**
     * Creates a loop.
     *
     * @param base the run's base manager; step managers are its sub-managers
     * @param model the model (initialised)
     * @param groups parameter groups whose optimizer state is checkpointed
     * @param run the run directory
     * @param options loop settings
     * @param console where the progress bar and messages go
     */
    public TrainLoop(
            NDManager base,
            Block model,
            List<ParamGroup> groups,
            RunDirectory run,
            Options options,
            PrintStream console) {
        this.base = base;
        this.model = model;
        this.groups = groups;
        this.run = run;
        this.options = options;
        this.console = console;
        this.checkpointer = new Checkpointer(run.checkpoints(), options.keepCheckpoints());
    }

    /** Adds fields (e.g. the learning rate of step t) to every training log record. */
    public TrainLoop logFields(LongFunction<JsonObject> fields) {
        this.logFields = fields;
        return this;
    }

    /**
     * Keeps a caller's state (e.g. a sampler's random stream) in every checkpoint under {@code key}
     * of {@code state.json}, and hands it back when a checkpoint is restored.
     */
    public TrainLoop state(String key, Supplier<JsonElement> save, Consumer<JsonElement> restore) {
        stateOut.put(key, save);
        stateIn.put(key, restore);
        return this;
    }

    /**
     * Restores the newest checkpoint, if {@code resume} is set. A run that stopped before its first
     * checkpoint resumes from step 0 (its logs are cleared), so it ends as a fresh run would.
     *
     * @return the number of completed steps to continue from (0 for a fresh run)
     */
    public long restore(boolean resume) throws IOException {
        if (!resume) {
            return 0;
        }
        Optional<Path> latest = checkpointer.latest();
        if (latest.isEmpty()) {
            try (MetricsLog log = new MetricsLog(run.metrics())) {
                log.truncateAfter(-1);
            }
            console.println(
                    "no checkpoint in "
                            + run.checkpoints()
                            + " (the run stopped before its first one): starting from step 0");
            return 0;
        }
        JsonObject state = Checkpointer.load(latest.get(), model, groups, base);
        long step = state.get("step").getAsLong();
        JsonObject saved = state.has("state") ? state.getAsJsonObject("state") : new JsonObject();
        stateIn.forEach((k, r) -> r.accept(saved.get(k)));
        try (MetricsLog log = new MetricsLog(run.metrics())) {
            log.truncateAfter(step);
        }
        console.println("resuming from " + latest.get() + " (step " + step + ")");
        return step;
    }

    /**
     * Runs from {@code startStep} to {@code maxSteps}.
     *
     * @param startStep completed steps so far (from {@link #restore})
     * @param step the step function
     * @param evaluation the evaluation (may be null)
     * @return the result
     */
    public Result run(long startStep, Step step, Evaluation evaluation) throws Exception {
        long t0 = System.nanoTime();
        long max = options.maxSteps();
        Map<String, Double> lastEval = Map.of();
        double lastLoss = Double.NaN;
        Path lastCheckpoint = checkpointer.latest().orElse(null);
        if (startStep >= max) {
            console.println("nothing to do: the run already completed " + startStep + " steps");
        }
        try (MetricsLog log = new MetricsLog(run.metrics());
                ProgressBar bar =
                        new ProgressBar(
                                        max,
                                        startStep,
                                        options.label(),
                                        console,
                                        ProgressBar.isInteractive())
                                .logEvery(Math.max(options.logEvery(), (max - startStep) / 20))) {
            NDManager window = base.newSubManager();
            List<NDArray> losses = new ArrayList<>();
            long windowStart = startStep;
            try {
                for (long t = startStep; t < max; t++) {
                    try (NDManager sm = base.newSubManager()) {
                        NDArray loss = step.run(sm, t);
                        NDArray kept = loss.stopGradient();
                        kept.attach(window);
                        losses.add(kept);
                    }
                    long done = t + 1;
                    boolean last = done == max;
                    boolean ckpt = done % options.checkpointEvery() == 0 || last;
                    boolean eval =
                            evaluation != null
                                    && ((options.evalEvery() > 0 && done % options.evalEvery() == 0)
                                            || last);
                    if (done % options.logEvery() == 0 || ckpt || eval) {
                        double mean = flush(losses, windowStart, lastCheckpoint);
                        window.close();
                        window = base.newSubManager();
                        losses.clear();
                        windowStart = done;
                        lastLoss = mean;
                        JsonObject rec = new JsonObject();
                        rec.addProperty("step", done);
                        rec.addProperty("loss", mean);
                        logFields
                                .apply(t)
                                .entrySet()
                                .forEach(e -> rec.add(e.getKey(), e.getValue()));
                        log.append(rec);
                        bar.loss(mean);
                    }
                    bar.update(done, (done - startStep) * options.itemsPerStep());
                    if (eval) {
                        lastEval = evaluation.evaluate(done);
                        JsonObject rec = new JsonObject();
                        rec.addProperty("step", done);
                        rec.addProperty("split", "val");
                        lastEval.forEach(rec::addProperty);
                        log.append(rec);
                        Double primary = lastEval.get(options.primaryMetric());
                        if (primary != null) {
                            bar.set(options.primaryMetric(), primary);
                        }
                    }
                    if (ckpt) {
                        checkParametersFinite(done, lastCheckpoint);
                        JsonObject state = new JsonObject();
                        state.addProperty("seconds", (System.nanoTime() - t0) / 1e9);
                        stateOut.forEach((k, v) -> state.add(k, v.get()));
                        lastCheckpoint = checkpointer.save(done, model, groups, state);
                    }
                }
            } finally {
                window.close();
            }
        }
        writeSummaryAndCurves();
        return new Result(
                startStep, max, lastLoss, lastEval, lastCheckpoint, (System.nanoTime() - t0) / 1e9);
    }

    /** Reads the window's losses in one transfer; throws at the first non-finite one. */
    private double flush(List<NDArray> losses, long windowStart, Path lastCheckpoint) {
        if (losses.isEmpty()) {
            return Double.NaN;
        }
        float[] values;
        try (NDArray stacked = NDArrays.stack(new NDList(losses))) {
            values = stacked.toFloatArray();
        }
        double sum = 0;
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                long bad = windowStart + i + 1;
                throw new NonFiniteException(
                        bad,
                        "loss became "
                                + values[i]
                                + " at step "
                                + bad
                                + "; stopped. "
                                + lastGood(lastCheckpoint)
                                + " Lower train.lr or set train.grad_clip_norm, then resume.");
            }
            sum += values[i];
        }
        return sum / values.length;
    }

    private void checkParametersFinite(long step, Path lastCheckpoint) {
        NDList sums = new NDList();
        try (NDManager scratch = base.newSubManager()) {
            for (Pair<String, Parameter> p : model.getParameters()) {
                NDArray a = p.getValue().getArray().abs();
                a.attach(scratch);
                NDArray s = a.sum();
                s.attach(scratch);
                sums.add(s);
            }
            float total = NDArrays.stack(sums).sum().getFloat();
            if (!Float.isFinite(total)) {
                throw new NonFiniteException(
                        step,
                        "parameters became NaN or infinite by step "
                                + step
                                + "; stopped without checkpointing them. "
                                + lastGood(lastCheckpoint));
            }
        }
    }

    private static String lastGood(Path checkpoint) {
        return checkpoint == null
                ? "No checkpoint was written before it."
                : "The last good checkpoint is " + checkpoint + ".";
    }

    /** Writes {@code summary.csv} and {@code curves.png} from {@code metrics.jsonl}. */
    public void writeSummaryAndCurves() throws IOException {
        List<JsonObject> records = MetricsLog.read(run.metrics());
        List<Map<String, Object>> rows = new ArrayList<>();
        List<double[]> train = new ArrayList<>();
        List<double[]> val = new ArrayList<>();
        Map<Long, Map<String, Object>> byStep = new LinkedHashMap<>();
        for (JsonObject r : records) {
            long s = r.get("step").getAsLong();
            Map<String, Object> row = byStep.computeIfAbsent(s, k -> new LinkedHashMap<>());
            row.put("step", s);
            boolean isVal = r.has("split");
            for (Map.Entry<String, JsonElement> e : r.entrySet()) {
                if (e.getKey().equals("step") || e.getKey().equals("split")) {
                    continue;
                }
                String key = isVal ? "val_" + e.getKey() : e.getKey();
                JsonElement v = e.getValue();
                row.put(key, v.isJsonPrimitive() ? v.getAsJsonPrimitive() : v.toString());
            }
            if (isVal && r.has(options.primaryMetric())) {
                val.add(new double[] {s, r.get(options.primaryMetric()).getAsDouble()});
            } else if (!isVal && r.has("loss")) {
                train.add(new double[] {s, r.get("loss").getAsDouble()});
            }
        }
        rows.addAll(byStep.values());
        run.writeSummary(rows);
        CurvePlot plot = new CurvePlot(options.label());
        plot.panel("loss", "step").series("train loss", col(train, 0), col(train, 1));
        plot.panel(options.primaryMetric(), "step")
                .series("val " + options.primaryMetric(), col(val, 0), col(val, 1));
        plot.write(run.curves(), 900, 600);
    }

    private static double[] col(List<double[]> rows, int c) {
        double[] out = new double[rows.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = rows.get(i)[c];
        }
        return out;
    }
}
