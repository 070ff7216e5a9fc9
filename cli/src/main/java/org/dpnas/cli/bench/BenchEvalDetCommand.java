package org.dpnas.cli.bench;

import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.dpnas.cli.Args;
import org.dpnas.cli.Command;
import org.dpnas.cli.Opts;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.eval.det.CocoBench;

/**
 * {@code dpnas bench eval-det}: generates a COCO-sized detection case from a seed (5,000 images ×
 * 80 categories × 100 detections by default, about 50 MB of JSON) and times reading and evaluating
 * it.
 */
public final class BenchEvalDetCommand implements Command {

    @Override
    public String name() {
        return "eval-det";
    }

    @Override
    public String summary() {
        return "time COCO box AP (JSON parsing included) on a generated COCO-sized case";
    }

    @Override
    public Options options() {
        return Opts.of(
                Opts.value("seed", "N", "seed of the generated case", "0"),
                Opts.value("images", "N", "images", String.valueOf(CocoBench.IMAGES)),
                Opts.value("categories", "N", "categories", String.valueOf(CocoBench.CATEGORIES)),
                Opts.value(
                        "detections",
                        "N",
                        "detections per image",
                        String.valueOf(CocoBench.DETECTIONS_PER_IMAGE)),
                Opts.value("dir", "DIR", "where the JSON files go", "a temporary directory"),
                Opts.value("json", "FILE", "also write the timings as JSON", null));
    }

    @Override
    public int run(CommandLine cl, PrintStream out, PrintStream err) throws Exception {
        Args.atMostPositionals(cl, 0);
        Path dir = Args.path(cl, "dir", null);
        boolean temp = dir == null;
        if (temp) {
            dir = Files.createTempDirectory("dpnas-bench-eval-det-");
        }
        try {
            CocoBench.Result r =
                    CocoBench.run(
                            Args.longValue(cl, "seed", 0),
                            Args.intValue(cl, "images", CocoBench.IMAGES),
                            Args.intValue(cl, "categories", CocoBench.CATEGORIES),
                            Args.intValue(cl, "detections", CocoBench.DETECTIONS_PER_IMAGE),
                            dir);
            out.printf(
                    Locale.ROOT,
                    "%d images, %d categories, %d ground-truth boxes, %d detections, %.1f MB JSON%n",
                    r.images(),
                    r.categories(),
                    r.groundTruths(),
                    r.detections(),
                    r.jsonBytes() / 1e6);
            out.printf(
                    Locale.ROOT,
                    "read gt %.2f s, read detections %.2f s, evaluate %.2f s, total %.2f s%n",
                    r.readGtSeconds(),
                    r.readDtSeconds(),
                    r.evaluateSeconds(),
                    r.totalSeconds());
            out.printf(Locale.ROOT, "AP %.3f%n", r.stats().stats()[0]);
            Path json = Args.path(cl, "json", null);
            if (json != null) {
                JsonObject o = new JsonObject();
                o.addProperty("images", r.images());
                o.addProperty("categories", r.categories());
                o.addProperty("detections", r.detections());
                o.addProperty("json_bytes", r.jsonBytes());
                o.addProperty("read_gt_s", r.readGtSeconds());
                o.addProperty("read_dt_s", r.readDtSeconds());
                o.addProperty("evaluate_s", r.evaluateSeconds());
                o.addProperty("total_s", r.totalSeconds());
                o.add("stats", r.stats().toJson().get("stats"));
                RunDirectory.writeJson(json, o);
            }
            return 0;
        } finally {
            if (temp) {
                try (var s = Files.walk(dir)) {
                    s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }
}
