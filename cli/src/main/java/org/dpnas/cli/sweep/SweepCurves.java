package org.dpnas.cli.sweep;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.Color;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import org.dpnas.common.launch.TrialState;
import org.dpnas.common.run.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report of a comparison of searches ({@code dpnas sweep report} on a sweep with named {@code
 * variants}, or with {@code --curves}): from each completed trial's {@code search/history.jsonl}
 * the best-so-far task metric against the number of children, per variant the mean over seeds with
 * a min–max band ({@code curves.csv}, {@code curves_trials.csv}, {@code curves.png}), each
 * variant's final best (mean ± sd over seeds, {@code final.csv}), its best genotype ({@code
 * best/VARIANT.genotype.json}) and a sweep spec that retrains those under one budget ({@code
 * retrain.json}, when the spec has {@code retrain}); the results of that retrain sweep, run in
 * {@code DIR/retrain}, join the table.
 *
 * <p>The task metric of a child is the history's {@code metrics.metric} when the child's reward was
 * shaped (the MnasNet reward keeps the unshaped metric there and its reward in {@code score}), else
 * its {@code score} (a plain search, and the IRLAS term, which shapes only what the strategy learns
 * from, record the task metric as the score). So every variant is compared on one quantity.
 */
final class SweepCurves {

    /** The y quantity, as the plot and the files name it. */
    static final String QUANTITY =
            "best-so-far task metric (history 'metric' if the reward was shaped, else 'score')";

    private static final Color[] PALETTE = {
        new Color(0x1F, 0x5F, 0xBF),
        new Color(0xE0, 0x6A, 0x10),
        new Color(0x2A, 0x9D, 0x3A),
        new Color(0xC8, 0x24, 0x2E),
        new Color(0x7B, 0x4F, 0xB0),
        new Color(0x8A, 0x5A, 0x44),
        new Color(0xD9, 0x4F, 0xA8),
        new Color(0x55, 0x55, 0x55),
    };

    private SweepCurves() {}

    /**
     * One search of the comparison.
     *
     * @param id the sweep trial
     * @param variant its variant (the overrides in words when the spec has no named variants)
     * @param seed its seed, or null
     * @param root its search directory
     * @param metrics the task metric of each child, in the order the children finished
     * @param children the history lines (for the best child's genotype)
     */
    record Search(
            String id,
            String variant,
            Long seed,
            Path root,
            double[] metrics,
            List<JsonObject> children) {}

    /**
     * The mean, minimum and maximum over the seeds of one variant after some children.
     *
     * @param variant the variant
     * @param children the number of children evaluated
     * @param seeds how many searches have that many children
     * @param mean the mean best-so-far metric over them
     * @param min the smallest
     * @param max the largest
     */
    record Point(String variant, int children, int seeds, double mean, double min, double max) {}

    /**
     * The task metric of one history line: {@code metrics.metric} if present, else {@code score}.
     */
    static double taskMetric(JsonObject line) {
        JsonObject m = line.has("metrics") ? line.getAsJsonObject("metrics") : null;
        if (m != null && m.has("metric") && !m.get("metric").isJsonNull()) {
            return m.get("metric").getAsDouble();
        }
        if (!line.has("score") || line.get("score").isJsonNull()) {
            return Double.NaN;
        }
        return line.get("score").getAsDouble();
    }

    /**
     * The best-so-far sequence: element k is the best of the first k + 1 values (NaN values are
     * skipped; NaN until the first number).
     */
    static double[] bestSoFar(double[] values, boolean maximize) {
        double[] out = new double[values.length];
        double best = Double.NaN;
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (!Double.isNaN(v) && (Double.isNaN(best) || (maximize ? v > best : v < best))) {
                best = v;
            }
            out[i] = best;
        }
        return out;
    }

    /**
     * Per variant and number of children k, the mean, minimum and maximum of the best-so-far metric
     * over the searches that have at least k children.
     */
    static List<Point> points(Map<String, List<Search>> byVariant, boolean maximize) {
        List<Point> out = new ArrayList<>();
        byVariant.forEach(
                (variant, searches) -> {
                    int longest = 0;
                    List<double[]> curves = new ArrayList<>();
                    for (Search s : searches) {
                        curves.add(bestSoFar(s.metrics(), maximize));
                        longest = Math.max(longest, s.metrics().length);
                    }
                    for (int k = 0; k < longest; k++) {
                        double sum = 0;
                        double min = Double.POSITIVE_INFINITY;
                        double max = Double.NEGATIVE_INFINITY;
                        int n = 0;
                        for (double[] c : curves) {
                            if (k < c.length && !Double.isNaN(c[k])) {
                                sum += c[k];
                                min = Math.min(min, c[k]);
                                max = Math.max(max, c[k]);
                                n++;
                            }
                        }
                        out.add(
                                n == 0
                                        ? new Point(
                                                variant,
                                                k + 1,
                                                0,
                                                Double.NaN,
                                                Double.NaN,
                                                Double.NaN)
                                        : new Point(variant, k + 1, n, sum / n, min, max));
                    }
                });
        return out;
    }

    /** Mean and sample standard deviation (n − 1; NaN for fewer than two values). */
    static double[] meanSd(List<Double> values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        double mean = values.isEmpty() ? Double.NaN : sum / values.size();
        if (values.size() < 2) {
            return new double[] {mean, Double.NaN};
        }
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        return new double[] {mean, Math.sqrt(ss / (values.size() - 1))};
    }

    /**
     * Writes the comparison's files and prints its table.
     *
     * @param dir the sweep directory
     * @param spec its spec
     * @param rows its trials
     * @param out where the table goes
     */
    static void report(Path dir, SweepSpec spec, List<SweepDir.Row> rows, PrintStream out)
            throws IOException {
        boolean maximize = spec.maximize();
        Map<String, List<Search>> byVariant = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        for (SweepDir.Row r : rows) {
            String variant = variantOf(r);
            byVariant.computeIfAbsent(variant, v -> new ArrayList<>());
            Path root = r.record().trial().runDir();
            Path history = root.resolve("search/history.jsonl");
            if (r.record().state() != TrialState.COMPLETED || !Files.exists(history)) {
                skipped.add(r.record().id() + " (" + r.record().state() + ")");
                continue;
            }
            List<JsonObject> lines = readLines(history);
            double[] metrics = new double[lines.size()];
            for (int i = 0; i < metrics.length; i++) {
                metrics[i] = taskMetric(lines.get(i));
            }
            byVariant
                    .get(variant)
                    .add(new Search(r.record().id(), variant, r.seed(), root, metrics, lines));
        }
        List<Point> points = points(byVariant, maximize);
        writeCurves(dir.resolve("curves.csv"), points);
        writeTrialCurves(dir.resolve("curves_trials.csv"), byVariant, maximize);
        plot(spec.name(), points, byVariant.keySet()).write(dir.resolve("curves.png"));
        Map<String, RetrainResult> retrained = retrained(dir, spec);
        List<String[]> table = new ArrayList<>();
        table.add(
                new String[] {
                    "variant",
                    "seeds",
                    "children",
                    "final best (mean ± sd)",
                    "min",
                    "max",
                    "best child",
                    "retrained"
                });
        StringBuilder csv =
                new StringBuilder(
                        "variant,seeds,children,final_best_mean,final_best_sd,final_best_min,"
                                + "final_best_max,best_trial,best_child,best_metric,genotype,"
                                + "retrain_mean,retrain_sd,retrain_runs\n");
        Map<String, Path> genotypes = new LinkedHashMap<>();
        for (Map.Entry<String, List<Search>> e : byVariant.entrySet()) {
            String variant = e.getKey();
            List<Double> finals = new ArrayList<>();
            int children = Integer.MAX_VALUE;
            Search bestSearch = null;
            int bestChild = -1;
            double bestValue = Double.NaN;
            for (Search s : e.getValue()) {
                double[] b = bestSoFar(s.metrics(), maximize);
                children = Math.min(children, b.length);
                if (b.length > 0 && !Double.isNaN(b[b.length - 1])) {
                    finals.add(b[b.length - 1]);
                }
                for (int i = 0; i < s.metrics().length; i++) {
                    double v = s.metrics()[i];
                    if (!Double.isNaN(v)
                            && (Double.isNaN(bestValue)
                                    || (maximize ? v > bestValue : v < bestValue))) {
                        bestValue = v;
                        bestSearch = s;
                        bestChild = i;
                    }
                }
            }
            if (children == Integer.MAX_VALUE) {
                children = 0;
            }
            double[] ms = meanSd(finals);
            double min = finals.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
            double max = finals.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
            String bestWhere = "-";
            Path genotype = null;
            if (bestSearch != null) {
                JsonObject line = bestSearch.children().get(bestChild);
                String childDir =
                        line.has("dir") ? line.get("dir").getAsString() : "child " + bestChild;
                bestWhere = bestSearch.id() + "/" + childDir;
                Path childFile =
                        line.has("dir")
                                ? bestSearch.root().resolve(childDir).resolve("genotype.json")
                                : null;
                if (childFile != null && Files.isRegularFile(childFile)) {
                    genotype = dir.resolve("best").resolve(variant + ".genotype.json");
                    AtomicFiles.writeString(genotype, Files.readString(childFile));
                } else if (line.has("genotype")) {
                    genotype = dir.resolve("best").resolve(variant + ".genotype.json");
                    AtomicFiles.writeString(genotype, line.get("genotype").toString());
                }
                if (genotype != null) {
                    genotypes.put(variant, genotype.toAbsolutePath().normalize());
                }
            }
            RetrainResult rr = retrained.get(variant);
            table.add(
                    new String[] {
                        variant,
                        String.valueOf(finals.size()),
                        String.valueOf(children),
                        fmt(ms[0]) + " ± " + fmt(ms[1]),
                        fmt(min),
                        fmt(max),
                        bestWhere,
                        rr == null ? "-" : rr.describe()
                    });
            csv.append(variant).append(',').append(finals.size()).append(',').append(children);
            for (double v : new double[] {ms[0], ms[1], min, max}) {
                csv.append(',').append(num(v));
            }
            csv.append(',').append(bestSearch == null ? "" : bestSearch.id());
            csv.append(',').append(bestSearch == null ? "" : String.valueOf(bestChild));
            csv.append(',').append(num(bestValue));
            csv.append(',').append(genotype == null ? "" : dir.relativize(genotype).toString());
            csv.append(',').append(rr == null ? "" : num(rr.mean()));
            csv.append(',').append(rr == null ? "" : num(rr.sd()));
            csv.append(',').append(rr == null ? "" : String.valueOf(rr.runs()));
            csv.append('\n');
        }
        AtomicFiles.writeString(dir.resolve("final.csv"), csv.toString());
        out.println(
                "comparison ("
                        + QUANTITY
                        + "; "
                        + (maximize ? "larger" : "smaller")
                        + " is better):");
        printTable(table, out);
        if (!skipped.isEmpty()) {
            out.println("not in the curves (no finished search): " + String.join(", ", skipped));
        }
        out.println(
                "  curves.csv          per variant and number of children: mean, min, max over seeds");
        out.println("  curves_trials.csv   per search and child: task metric and best so far");
        out.println(
                "  curves.png          best so far against children, mean over seeds, band min–max");
        out.println(
                "  final.csv           per variant: final best mean ± sd, best child, retrained");
        out.println("  best/VARIANT.genotype.json   each variant's best child over its seeds");
        if (spec.retrain() != null && !genotypes.isEmpty()) {
            Path retrainSpec = dir.resolve("retrain.json");
            AtomicFiles.writeString(retrainSpec, retrainSpec(spec, genotypes) + "\n");
            out.println("  retrain.json        retrains each variant's best under one budget:");
            out.println(
                    "    dpnas sweep "
                            + retrainSpec
                            + " --work-dir "
                            + dir.resolve("retrain")
                            + " [--backend local|slurm]");
            out.println("  that is, per variant:");
            for (Map.Entry<String, Path> g : genotypes.entrySet()) {
                List<String> words = new ArrayList<>(spec.retrain().command());
                words.addAll(List.of("--genotype", g.getValue().toString()));
                out.println("    " + g.getKey() + ": dpnas " + String.join(" ", words));
            }
        }
    }

    /** The variant of a row: its named variant, else its overrides in words, else "all". */
    private static String variantOf(SweepDir.Row r) {
        if (r.variant() != null) {
            return r.variant();
        }
        List<String> parts = new ArrayList<>();
        r.overrides().forEach((k, v) -> parts.add(k + "=" + v));
        return parts.isEmpty() ? "all" : String.join(" ", parts);
    }

    private static List<JsonObject> readLines(Path file) throws IOException {
        List<JsonObject> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                out.add(JsonParser.parseString(line).getAsJsonObject());
            }
        }
        return out;
    }

    private static void writeCurves(Path file, List<Point> points) throws IOException {
        StringBuilder sb = new StringBuilder("variant,children,seeds,mean,min,max\n");
        for (Point p : points) {
            sb.append(csv(p.variant())).append(',').append(p.children()).append(',');
            sb.append(p.seeds()).append(',').append(num(p.mean())).append(',');
            sb.append(num(p.min())).append(',').append(num(p.max())).append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    private static void writeTrialCurves(
            Path file, Map<String, List<Search>> byVariant, boolean maximize) throws IOException {
        StringBuilder sb = new StringBuilder("trial,variant,seed,children,metric,best_so_far\n");
        for (List<Search> searches : byVariant.values()) {
            for (Search s : searches) {
                double[] b = bestSoFar(s.metrics(), maximize);
                for (int i = 0; i < b.length; i++) {
                    sb.append(s.id()).append(',').append(csv(s.variant())).append(',');
                    sb.append(s.seed() == null ? "" : s.seed()).append(',').append(i + 1);
                    sb.append(',').append(num(s.metrics()[i])).append(',').append(num(b[i]));
                    sb.append('\n');
                }
            }
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    /** The plot: per variant the mean best-so-far line and a translucent min–max band. */
    static Chart plot(String name, List<Point> points, Iterable<String> variants) {
        XYChart chart =
                new XYChartBuilder()
                        .width(900)
                        .height(560)
                        .title(
                                "sweep "
                                        + name
                                        + ": best so far against children (mean over seeds, band min–max)")
                        .xAxisTitle("children evaluated")
                        .yAxisTitle("best-so-far task metric (shaped rewards: their 'metric')")
                        .build();
        var st = chart.getStyler();
        st.setLegendPosition(Styler.LegendPosition.InsideSE);
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotGridLinesColor(new Color(0xE4, 0xE4, 0xE4));
        int c = 0;
        for (String v : variants) {
            List<Point> mine =
                    points.stream().filter(p -> p.variant().equals(v) && p.seeds() > 0).toList();
            Color color = PALETTE[c++ % PALETTE.length];
            if (mine.isEmpty()) {
                continue;
            }
            int n = mine.size();
            double[] xs = new double[n];
            double[] mean = new double[n];
            double[] poly = new double[2 * n];
            double[] polyY = new double[2 * n];
            int seeds = 0;
            for (int i = 0; i < n; i++) {
                Point p = mine.get(i);
                xs[i] = p.children();
                mean[i] = p.mean();
                poly[i] = p.children();
                polyY[i] = p.max();
                poly[2 * n - 1 - i] = p.children();
                polyY[2 * n - 1 - i] = p.min();
                seeds = Math.max(seeds, p.seeds());
            }
            XYSeries band = chart.addSeries(v + " min–max", poly, polyY);
            band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
            band.setFillColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), 50));
            band.setLineColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), 90));
            band.setMarker(SeriesMarkers.NONE);
            band.setShowInLegend(false);
            XYSeries line = chart.addSeries(v + " (mean of " + seeds + " seeds)", xs, mean);
            line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            line.setLineColor(color);
            line.setMarkerColor(color);
            line.setMarker(SeriesMarkers.CIRCLE);
        }
        return new Chart(chart);
    }

    /** A chart that writes itself as a PNG atomically. */
    record Chart(XYChart chart) {
        void write(Path file) throws IOException {
            AtomicFiles.write(
                    file, o -> BitmapEncoder.saveBitmap(chart, o, BitmapEncoder.BitmapFormat.PNG));
        }
    }

    /** The retrain sweep's spec: the retrain command with one variant per best genotype. */
    static String retrainSpec(SweepSpec spec, Map<String, Path> genotypes) {
        SweepSpec.Retrain r = spec.retrain();
        JsonObject o = new JsonObject();
        o.addProperty("name", spec.name() + "-retrain");
        JsonArray cmd = new JsonArray();
        r.command().forEach(cmd::add);
        o.add("command", cmd);
        JsonObject variants = new JsonObject();
        genotypes.forEach(
                (v, g) -> {
                    JsonArray w = new JsonArray();
                    w.add("--genotype");
                    w.add(g.toString());
                    variants.add(v, w);
                });
        o.add("variants", variants);
        if (!r.seeds().isEmpty()) {
            JsonArray seeds = new JsonArray();
            r.seeds().forEach(seeds::add);
            o.add("seeds", seeds);
        }
        o.addProperty("metric", r.metric());
        o.addProperty("mode", r.maximize() ? "max" : "min");
        JsonElement slurm = spec.json().get("slurm");
        if (slurm != null) {
            o.add("slurm", slurm.deepCopy());
        }
        if (spec.json().has("slots")) {
            o.add("slots", spec.json().get("slots").deepCopy());
        }
        return new GsonBuilder().setPrettyPrinting().create().toJson(o);
    }

    /**
     * A variant's retrained metric over the retrain seeds.
     *
     * @param mean the mean
     * @param sd the sample standard deviation (NaN for one run)
     * @param runs the completed retrain runs
     */
    record RetrainResult(double mean, double sd, int runs) {
        String describe() {
            return fmt(mean)
                    + (runs > 1 ? " ± " + fmt(sd) : "")
                    + " ("
                    + runs
                    + " run"
                    + (runs == 1 ? "" : "s")
                    + ")";
        }
    }

    /** The results of the retrain sweep in {@code DIR/retrain}, per variant, if it ran. */
    private static Map<String, RetrainResult> retrained(Path dir, SweepSpec spec)
            throws IOException {
        Map<String, RetrainResult> out = new LinkedHashMap<>();
        Path r = dir.resolve("retrain");
        if (spec.retrain() == null || !Files.exists(r.resolve("sweep.json"))) {
            return out;
        }
        Map<String, List<Double>> values = new LinkedHashMap<>();
        for (SweepDir.Row row : SweepDir.rows(r, spec.retrain().metric())) {
            OptionalDouble m = row.metric();
            if (row.variant() != null
                    && row.record().state() == TrialState.COMPLETED
                    && m.isPresent()) {
                values.computeIfAbsent(row.variant(), k -> new ArrayList<>()).add(m.getAsDouble());
            }
        }
        values.forEach(
                (v, list) -> {
                    double[] ms = meanSd(list);
                    out.put(v, new RetrainResult(ms[0], ms[1], list.size()));
                });
        return out;
    }

    private static void printTable(List<String[]> lines, PrintStream out) {
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

    private static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.valueOf(v);
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }
}
