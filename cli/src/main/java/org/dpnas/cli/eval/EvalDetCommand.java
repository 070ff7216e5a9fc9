package org.dpnas.cli.eval;

import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.dpnas.cli.Args;
import org.dpnas.cli.Command;
import org.dpnas.cli.Opts;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.eval.det.CocoDetections;
import org.dpnas.eval.det.CocoEvaluator;
import org.dpnas.eval.det.CocoGroundTruth;
import org.dpnas.eval.det.CocoStats;

/**
 * {@code dpnas eval det}: COCO box AP of a detections file (COCO result format) against an
 * instances file, with pycocotools' rules and its 12-line summary.
 */
public final class EvalDetCommand implements Command {

    @Override
    public String name() {
        return "det";
    }

    @Override
    public String summary() {
        return "COCO box AP of a results file against instances JSON (pycocotools semantics)";
    }

    @Override
    public Options options() {
        return Opts.of(
                Opts.required("gt", "FILE", "ground truth, COCO instances JSON"),
                Opts.required("dt", "FILE", "detections, COCO results JSON"),
                Opts.value("threads", "N", "evaluation threads", "min(4, cores)"),
                Opts.flag(
                        "lenient",
                        "drop (and count) detections of an unknown category_id or with a negative"
                                + " width/height instead of stopping"),
                Opts.value("json", "FILE", "also write stats, names and per-category AP", null));
    }

    @Override
    public int run(CommandLine cl, PrintStream out, PrintStream err) throws Exception {
        Args.atMostPositionals(cl, 0);
        CocoGroundTruth gt = CocoGroundTruth.read(Path.of(Args.requiredString(cl, "gt")));
        int threads =
                Args.intValue(
                        cl, "threads", Math.min(4, Runtime.getRuntime().availableProcessors()));
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        }
        CocoDetections dt =
                CocoDetections.read(
                        Path.of(Args.requiredString(cl, "dt")), gt, Args.flag(cl, "lenient"));
        if (dt.droppedUnknownCategory() + dt.droppedNegativeBox() > 0) {
            err.printf(
                    "dropped %d of %d detections (--lenient): %d with a category_id not in the"
                            + " ground truth, %d with a negative width or height%n",
                    dt.droppedUnknownCategory() + dt.droppedNegativeBox(),
                    dt.total(),
                    dt.droppedUnknownCategory(),
                    dt.droppedNegativeBox());
        }
        CocoStats stats = CocoEvaluator.evaluate(gt, dt, threads);
        out.print(stats.summary());
        Path json = Args.path(cl, "json", null);
        if (json != null) {
            JsonObject o = stats.toJson();
            JsonObject dropped = new JsonObject();
            dropped.addProperty("unknown_category", dt.droppedUnknownCategory());
            dropped.addProperty("negative_box", dt.droppedNegativeBox());
            o.add("dropped", dropped);
            RunDirectory.writeJson(json, o);
            out.println("wrote " + json);
        }
        return 0;
    }
}
