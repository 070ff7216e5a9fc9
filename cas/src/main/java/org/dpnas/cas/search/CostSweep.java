package org.dpnas.cas.search;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.dpnas.cas.CasNet;
import org.dpnas.common.config.Config;
import org.dpnas.common.cost.CostCounter;
import org.dpnas.common.cost.CostReport;
import org.dpnas.common.cost.LatencyMeter;
import org.dpnas.common.run.CurvePlot;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.common.train.Devices;

/**
 * The accuracy/latency trade-off of CAS (Zhang et al., CVPR 2019, Sec. 4): one search per λ of
 * {@code search.sweep_cost_weight} (in {@code sweep/lambda-λ/}, sharing one latency table), then
 * for each searched genotype the supernet's final validation mIoU and the fixed network's measured
 * latency (batch 1, the search's image size, this device and thread count), parameters and
 * multiply-adds, written to {@code sweep/points.json} with each genotype and drawn as {@code
 * sweep/tradeoff.png} (mIoU against latency, one marker per λ).
 */
public final class CostSweep {

    /**
     * One point of the sweep.
     *
     * @param lambda λ
     * @param run the search's run directory
     * @param mIoU the supernet's final validation mIoU
     * @param latencyMs the fixed network's median latency
     * @param params its trainable parameters
     * @param macs its multiply-adds
     * @param expectedCost the search's final expected cost
     * @param genotype the genotype's JSON
     */
    public record Point(
            float lambda,
            Path run,
            double mIoU,
            double latencyMs,
            long params,
            long macs,
            double expectedCost,
            String genotype) {}

    private CostSweep() {}

    /**
     * Parses {@code "0,0.5,2"}.
     *
     * @throws IllegalArgumentException naming the option and the bad entry
     */
    public static List<Float> parse(String list) {
        List<Float> out = new ArrayList<>();
        for (String s : list.split(",")) {
            String t = s.strip();
            float v;
            try {
                v = Float.parseFloat(t);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "search.sweep_cost_weight: '" + t + "' is not a number", e);
            }
            if (!(v >= 0) || Float.isInfinite(v)) {
                throw new IllegalArgumentException(
                        "search.sweep_cost_weight: λ must be finite and >= 0, got " + t);
            }
            out.add(v);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("search.sweep_cost_weight lists no λ");
        }
        return out;
    }

    /**
     * Runs the sweep.
     *
     * @param config the resolved configuration (its {@code search.sweep_cost_weight} is the list)
     * @param run the sweep's run directory
     * @param args the command line
     * @param console progress
     * @return the points, in λ order of the list
     */
    public static List<Point> run(
            Config config, RunDirectory run, List<String> args, PrintStream console)
            throws Exception {
        List<Float> lambdas = parse(config.getString("search.sweep_cost_weight"));
        Path table = run.root().resolve("sweep/latency-table.json");
        List<Point> points = new ArrayList<>();
        for (float lambda : lambdas) {
            String name = "lambda-" + fmt(lambda);
            RunDirectory sub = new RunDirectory(run.root().resolve("sweep").resolve(name));
            List<String> over = new ArrayList<>();
            over.add("search.cost_weight=" + lambda);
            if (Files.isRegularFile(table)) {
                over.add("search.latency_table=" + table.toAbsolutePath());
            }
            Config c = config.withOverrides(over);
            console.println("== sweep: λ = " + fmt(lambda) + " -> " + sub.root());
            CasSearchJob.Outcome o = CasSearchJob.run(c, sub, false, args, console);
            Path own = sub.root().resolve("cost/latency-table.json");
            if (!Files.isRegularFile(table) && Files.isRegularFile(own)) {
                Files.createDirectories(table.getParent());
                Files.copy(own, table);
            }
            double miou =
                    o.loop().lastEval() == null
                            ? Double.NaN
                            : o.loop().lastEval().getOrDefault("mIoU", Double.NaN);
            CasNet fixed = CasNet.fixed(o.genotype(), CasSearchJob.sizes(c).numClasses(), 0);
            Shape in = new Shape(1, 3, o.height(), o.width());
            CostReport cost = CostCounter.of(fixed, in);
            double ms = latency(fixed, in, c);
            points.add(
                    new Point(
                            lambda,
                            sub.root(),
                            miou,
                            ms,
                            cost.params(),
                            cost.macs(),
                            o.expectedCost(),
                            o.genotype().toJson()));
            write(run, points, console);
        }
        return points;
    }

    /** The fixed network's median latency at batch 1 on the run's device and thread count. */
    static double latency(CasNet net, Shape in, Config c) {
        Device device = Devices.resolve(c.getString("device"));
        Config s = c.sub("search");
        try (NDManager m = NDManager.newBaseManager(device)) {
            net.initialize(m, DataType.FLOAT32, in);
            return new LatencyMeter(s.getInt("latency_warmup"), s.getInt("latency_runs"))
                    .measure(net, m, in)
                    .medianMs();
        }
    }

    /**
     * λ as written in a directory name and a legend: the shortest plain decimal ({@code 0}, {@code
     * 0.0005}, {@code 2}), never Java's scientific form ({@code 5.0E-4}), so that a shell loop over
     * the λ list finds {@code sweep/lambda-0.0005}.
     */
    static String fmt(float v) {
        return new BigDecimal(Float.toString(v)).stripTrailingZeros().toPlainString();
    }

    private static void write(RunDirectory run, List<Point> points, PrintStream console)
            throws Exception {
        JsonArray arr = new JsonArray();
        CurvePlot plot = new CurvePlot("CAS: validation mIoU against measured latency");
        CurvePlot.Panel panel = plot.panel("val mIoU (supernet)", "latency (ms, batch 1)");
        for (Point p : points) {
            JsonObject o = new JsonObject();
            o.addProperty("lambda", p.lambda());
            o.addProperty("run", p.run().toString());
            o.addProperty("val_mIoU", p.mIoU());
            o.addProperty("latency_ms", p.latencyMs());
            o.addProperty("params", p.params());
            o.addProperty("macs", p.macs());
            o.addProperty("expected_cost", p.expectedCost());
            o.add("genotype", JsonParser.parseString(p.genotype()));
            arr.add(o);
            panel.series(
                    "λ = " + fmt(p.lambda()),
                    new double[] {p.latencyMs()},
                    new double[] {p.mIoU()});
        }
        Point p = points.get(points.size() - 1);
        console.printf(
                Locale.ROOT,
                "λ %-8s val mIoU %.4f  latency %.2f ms  params %,d  MACs %,d%n",
                fmt(p.lambda()),
                p.mIoU(),
                p.latencyMs(),
                p.params(),
                p.macs());
        JsonObject all = new JsonObject();
        all.add("points", arr);
        RunDirectory.writeJson(run.root().resolve("sweep/points.json"), all);
        plot.write(run.root().resolve("sweep/tradeoff.png"), 900, 600);
    }
}
