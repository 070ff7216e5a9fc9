package org.dpnas.cli.sweep;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.commons.cli.CommandLine;
import org.dpnas.cli.Args;
import org.dpnas.common.launch.LocalLauncher;
import org.dpnas.common.launch.Shell;
import org.dpnas.common.launch.SlurmLauncher;
import org.dpnas.common.launch.SlurmSettings;
import org.dpnas.common.launch.TrialLauncher;
import org.dpnas.common.launch.TrialPool;
import org.dpnas.common.launch.TrialState;
import org.dpnas.common.run.AtomicFiles;
import org.dpnas.common.run.CurvePlot;

/** {@code dpnas sweep status} and {@code dpnas sweep report}: a sweep's trials as a table. */
final class SweepReport {

    private SweepReport() {}

    /**
     * Prints one row per trial; when no submitter is attached, first asks the scheduler for the
     * jobs' states (and records what ended).
     */
    static int status(Path dir, CommandLine cl, PrintStream out, PrintStream err)
            throws IOException {
        refreshIfDetached(dir, err);
        SweepSpec spec = SweepDir.spec(dir);
        String metric = Args.string(cl, "metric", spec.metric());
        List<SweepDir.Row> rows = SweepDir.rows(dir, metric);
        printTable(rows, metric, dir, out);
        for (SweepDir.Row r : rows) {
            if (!r.record().message().isEmpty() && !r.record().state().isActive()) {
                out.println(r.record().id() + ": " + r.record().message());
            }
        }
        Path json = Args.path(cl, "json", null);
        if (json != null) {
            AtomicFiles.writeString(
                    json,
                    new GsonBuilder()
                                    .setPrettyPrinting()
                                    .serializeNulls()
                                    .create()
                                    .toJson(toJson(rows, metric, dir))
                            + "\n");
        }
        return 0;
    }

    /**
     * Prints the trials sorted by the metric (best first) and writes report.csv and report.png; for
     * a comparison of searches (named variants, or {@code --curves}) also the best-so-far curves
     * and the final table ({@link SweepCurves}).
     */
    static int report(Path dir, CommandLine cl, PrintStream out, PrintStream err)
            throws IOException {
        refreshIfDetached(dir, err);
        SweepSpec spec = SweepDir.spec(dir);
        String metric = Args.string(cl, "metric", spec.metric());
        List<SweepDir.Row> rows = new ArrayList<>(SweepDir.rows(dir, metric));
        Comparator<SweepDir.Row> byMetric =
                Comparator.comparingDouble(r -> r.metric().orElse(Double.NaN));
        if (spec.maximize()) {
            byMetric = byMetric.reversed();
        }
        List<SweepDir.Row> scored =
                new ArrayList<>(rows.stream().filter(r -> r.metric().isPresent()).toList());
        scored.sort(byMetric);
        List<SweepDir.Row> sorted = new ArrayList<>(scored);
        rows.stream().filter(r -> r.metric().isEmpty()).forEach(sorted::add);
        printTable(sorted, metric, dir, out);
        if (!scored.isEmpty()) {
            SweepDir.Row best = scored.get(0);
            out.printf(
                    "best: %s %s = %.4f %s%n",
                    best.record().id(), metric, best.metric().getAsDouble(), describe(best));
        } else {
            out.println("no trial has a " + metric + " yet");
        }
        writeCsv(dir.resolve("report.csv"), rows, metric);
        plot(rows, metric, spec.name()).write(dir.resolve("report.png"), 800, 500);
        out.println("  report.csv   one row per trial");
        out.println("  report.png   " + metric + " per trial");
        if (spec.hasNamedVariants() || Args.flag(cl, "curves")) {
            out.println();
            SweepCurves.report(dir, spec, rows, out);
        }
        return 0;
    }

    private static void refreshIfDetached(Path dir, PrintStream err) throws IOException {
        TrialLauncher launcher =
                switch (TrialPool.backendOf(dir)) {
                    case "slurm" -> new SlurmLauncher(SlurmSettings.defaults(), Shell.system());
                    case "inprocess" -> null; // its trials ended with the process that ran them
                    default -> new LocalLauncher(1, List.of());
                };
        if (launcher == null) {
            return;
        }
        TrialPool pool;
        try {
            pool = TrialPool.attach(dir, launcher, "", 0, "");
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("in use")) {
                throw e;
            }
            return; // a submitter is attached and keeps state.json current
        }
        try (pool) {
            pool.refresh();
        } catch (IOException e) {
            err.println(
                    "warning: could not ask the scheduler ("
                            + e.getMessage()
                            + "); showing the states last recorded");
        }
    }

    /** The table: trial, state, job, attempts, metric, what it varies, run directory. */
    static void printTable(List<SweepDir.Row> rows, String metric, Path dir, PrintStream out) {
        List<String[]> lines = new ArrayList<>();
        lines.add(new String[] {"trial", "state", "job", "tries", metric, "overrides", "run dir"});
        for (SweepDir.Row r : rows) {
            var rec = r.record();
            lines.add(
                    new String[] {
                        rec.id(),
                        rec.state().name(),
                        rec.job() == null ? "-" : rec.job().id(),
                        String.valueOf(rec.attempts()),
                        r.metric().isPresent()
                                ? String.format("%.4f", r.metric().getAsDouble())
                                : "-",
                        describe(r),
                        relative(dir, rec.trial().runDir())
                    });
        }
        int[] w = new int[lines.get(0).length];
        for (String[] l : lines) {
            for (int i = 0; i < l.length; i++) {
                w[i] = Math.max(w[i], l[i].length());
            }
        }
        for (String[] l : lines) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < l.length; i++) {
                sb.append(i == 0 ? "" : "  ");
                sb.append(i == l.length - 1 ? l[i] : String.format("%-" + w[i] + "s", l[i]));
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    private static String describe(SweepDir.Row r) {
        List<String> parts = new ArrayList<>();
        if (r.variant() != null) {
            parts.add(r.variant());
        }
        r.overrides().forEach((k, v) -> parts.add(k + "=" + v));
        if (r.seed() != null) {
            parts.add("seed=" + r.seed());
        }
        return parts.isEmpty() ? "-" : String.join(" ", parts);
    }

    private static String relative(Path dir, Path p) {
        Path abs = dir.toAbsolutePath().normalize();
        return p.startsWith(abs) ? abs.relativize(p).toString() : p.toString();
    }

    private static JsonObject toJson(List<SweepDir.Row> rows, String metric, Path dir) {
        JsonObject o = new JsonObject();
        o.addProperty("dir", dir.toAbsolutePath().normalize().toString());
        o.addProperty("metric", metric);
        JsonArray a = new JsonArray();
        for (SweepDir.Row r : rows) {
            var rec = r.record();
            JsonObject t = new JsonObject();
            t.addProperty("id", rec.id());
            t.addProperty("state", rec.state().name());
            t.add("job", rec.job() == null ? JsonNull.INSTANCE : new JsonPrimitive(rec.job().id()));
            JsonArray jobs = new JsonArray();
            rec.jobIds().forEach(jobs::add);
            t.add("jobs", jobs);
            t.addProperty("attempts", rec.attempts());
            t.addProperty("run_dir", rec.trial().runDir().toString());
            t.add(
                    "metric",
                    r.metric().isPresent()
                            ? new JsonPrimitive(r.metric().getAsDouble())
                            : JsonNull.INSTANCE);
            JsonObject ov = new JsonObject();
            r.overrides().forEach(ov::addProperty);
            t.add("overrides", ov);
            t.add("seed", SweepSpec.seedJson(r.seed()));
            if (r.variant() != null) {
                t.addProperty("variant", r.variant());
            }
            t.add("submitted_at", num(rec.submittedAt()));
            t.add("started_at", num(rec.startedAt()));
            t.add("ended_at", num(rec.endedAt()));
            t.add("queue_seconds", num(rec.startedAt() - rec.submittedAt()));
            t.addProperty("message", rec.message());
            a.add(t);
        }
        o.add("trials", a);
        return o;
    }

    private static com.google.gson.JsonElement num(double v) {
        return Double.isFinite(v) ? new JsonPrimitive(v) : JsonNull.INSTANCE;
    }

    private static void writeCsv(Path file, List<SweepDir.Row> rows, String metric)
            throws IOException {
        Set<String> keys = new LinkedHashSet<>();
        rows.forEach(r -> keys.addAll(r.overrides().keySet()));
        boolean named = rows.stream().anyMatch(r -> r.variant() != null);
        StringBuilder sb = new StringBuilder("trial,state,job,attempts");
        if (named) {
            sb.append(",variant");
        }
        sb.append(",seed");
        keys.forEach(k -> sb.append(',').append(k));
        sb.append(',').append(metric).append('\n');
        for (SweepDir.Row r : rows) {
            var rec = r.record();
            sb.append(rec.id()).append(',').append(rec.state()).append(',');
            sb.append(rec.job() == null ? "" : rec.job().id()).append(',');
            sb.append(rec.attempts()).append(',');
            if (named) {
                sb.append(csv(r.variant() == null ? "" : r.variant())).append(',');
            }
            sb.append(r.seed() == null ? "" : r.seed());
            for (String k : keys) {
                sb.append(',').append(csv(r.overrides().getOrDefault(k, "")));
            }
            sb.append(',');
            if (r.metric().isPresent()) {
                sb.append(r.metric().getAsDouble());
            }
            sb.append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }

    /**
     * The plot: when exactly one override key varies and all its values are numbers, the metric
     * against that value with one line per seed; otherwise the metric against the trial number.
     */
    static CurvePlot plot(List<SweepDir.Row> rows, String metric, String name) {
        Set<String> varying = new LinkedHashSet<>();
        Map<String, Set<String>> values = new LinkedHashMap<>();
        for (SweepDir.Row r : rows) {
            r.overrides()
                    .forEach(
                            (k, v) -> values.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(v));
        }
        values.forEach(
                (k, v) -> {
                    if (v.size() > 1) {
                        varying.add(k);
                    }
                });
        CurvePlot plot = new CurvePlot("sweep " + name + ": " + metric);
        String key = varying.size() == 1 ? varying.iterator().next() : null;
        boolean numeric = key != null && values.get(key).stream().allMatch(SweepReport::isNumber);
        if (numeric) {
            Map<String, TreeMap<Double, Double>> series = new LinkedHashMap<>();
            for (SweepDir.Row r : rows) {
                if (r.metric().isPresent()) {
                    String s = r.seed() == null ? metric : "seed " + r.seed();
                    series.computeIfAbsent(s, x -> new TreeMap<>())
                            .put(
                                    Double.parseDouble(r.overrides().get(key)),
                                    r.metric().getAsDouble());
                }
            }
            CurvePlot.Panel p = plot.panel(metric, key);
            series.forEach(
                    (s, pts) ->
                            p.series(
                                    s,
                                    pts.keySet().stream()
                                            .mapToDouble(Double::doubleValue)
                                            .toArray(),
                                    pts.values().stream()
                                            .mapToDouble(Double::doubleValue)
                                            .toArray()));
        } else {
            double[] xs = new double[rows.size()];
            double[] ys = new double[rows.size()];
            for (int i = 0; i < rows.size(); i++) {
                xs[i] = i;
                ys[i] = rows.get(i).metric().orElse(Double.NaN);
            }
            plot.panel(metric, "trial (t000 = 0)").series(metric, xs, ys);
        }
        return plot;
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Whether a state counts as done in summaries. */
    static boolean done(TrialState s) {
        return s.isFinal();
    }
}
