package org.dpnas.cli.eval;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.dpnas.cli.Args;
import org.dpnas.cli.CliException;
import org.dpnas.cli.Command;
import org.dpnas.cli.Opts;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.datasets.seg.ImageDecoder;
import org.dpnas.eval.seg.ConfusionMatrix;
import org.dpnas.eval.seg.SegMetrics;

/**
 * {@code dpnas eval seg}: segmentation metrics from two folders of label PNGs (ground truth and
 * prediction) paired by file name. Labels are read as raw raster samples (palette indices, never
 * colours); any missing or extra file, size mismatch or id outside [0, N) ∪ {ignore} is an error
 * naming the file, and nothing is written then.
 */
public final class EvalSegCommand implements Command {

    @Override
    public String name() {
        return "seg";
    }

    @Override
    public String summary() {
        return "segmentation metrics from folders of ground-truth and predicted label PNGs";
    }

    @Override
    public Options options() {
        return Opts.of(
                Opts.required("gt", "DIR", "ground-truth label PNGs"),
                Opts.required("pred", "DIR", "predicted label PNGs, same file names"),
                Opts.required("num-classes", "N", "number of classes (ids 0..N-1)"),
                Opts.value("ignore-index", "ID", "ground-truth id that never counts", "255"),
                Opts.value("json", "FILE", "also write the metrics as JSON", null));
    }

    /** Exit code of a data error (a file's content); usage errors (options) exit 2. */
    static final int DATA = 1;

    @Override
    public int run(CommandLine cl, PrintStream out, PrintStream err) throws Exception {
        Args.atMostPositionals(cl, 0);
        Path gtDir = Path.of(Args.requiredString(cl, "gt"));
        Path predDir = Path.of(Args.requiredString(cl, "pred"));
        int n = Args.intValue(cl, "num-classes", 0);
        int ignore = Args.intValue(cl, "ignore-index", 255);
        if (n < 1 || n > 255) {
            throw new CliException("--num-classes must be between 1 and 255, got " + n);
        }
        if (ignore >= 0 && ignore < n) {
            throw new CliException(
                    "--ignore-index " + ignore + " is a class id (0.." + (n - 1) + ")");
        }
        TreeSet<String> gt = pngs(gtDir, "--gt");
        TreeSet<String> pred = pngs(predDir, "--pred");
        for (String f : gt) {
            if (!pred.contains(f)) {
                throw new CliException(
                        predDir.resolve(f) + ": missing (ground truth has " + f + ")", DATA);
            }
        }
        for (String f : pred) {
            if (!gt.contains(f)) {
                throw new CliException(
                        predDir.resolve(f) + ": no ground truth " + gtDir.resolve(f), DATA);
            }
        }
        if (gt.isEmpty()) {
            throw new CliException("--gt " + gtDir + ": no .png files");
        }
        List<String> names = new ArrayList<>(gt);
        // decoded in parallel; the first problem in file-name order is reported, whatever the
        // thread timing
        List<Object> parts =
                names.parallelStream()
                        .map(f -> oneOrError(gtDir.resolve(f), predDir.resolve(f), n, ignore))
                        .collect(Collectors.toList());
        ConfusionMatrix cm = new ConfusionMatrix(n, ignore);
        for (Object part : parts) {
            if (part instanceof CliException e) {
                throw e;
            }
            if (part instanceof RuntimeException e) {
                // an unreadable or truncated label map: a data error naming the file
                throw new CliException(String.valueOf(e.getMessage()), DATA);
            }
            cm.merge((ConfusionMatrix) part);
        }
        SegMetrics m = cm.compute();
        out.println(names.size() + " label maps, " + cm.total() + " counted pixels");
        out.println(m.table(null));
        Path json = Args.path(cl, "json", null);
        if (json != null) {
            RunDirectory.writeJson(json, m.toJson(null));
            out.println("wrote " + json);
        }
        return 0;
    }

    private static Object oneOrError(Path gtFile, Path predFile, int n, int ignore) {
        try {
            return one(gtFile, predFile, n, ignore);
        } catch (RuntimeException e) {
            return e;
        }
    }

    private static ConfusionMatrix one(Path gtFile, Path predFile, int n, int ignore) {
        ImageDecoder.GrayImage g = ImageDecoder.readGray(gtFile);
        ImageDecoder.GrayImage p = ImageDecoder.readGray(predFile);
        if (g.height() != p.height() || g.width() != p.width()) {
            throw new CliException(
                    String.format(
                            Locale.ROOT,
                            "%s: %dx%d, but the ground truth %s is %dx%d",
                            predFile,
                            p.width(),
                            p.height(),
                            gtFile,
                            g.width(),
                            g.height()),
                    DATA);
        }
        byte[] gv = g.values();
        byte[] pv = p.values();
        for (int i = 0; i < gv.length; i++) {
            int gi = gv[i] & 0xff;
            int pi = pv[i] & 0xff;
            if (gi != ignore && gi >= n) {
                throw new CliException(bad(gtFile, gi, i, g.width(), n, ignore), DATA);
            }
            if (gi != ignore && pi >= n) {
                throw new CliException(bad(predFile, pi, i, g.width(), n, ignore), DATA);
            }
        }
        ConfusionMatrix cm = new ConfusionMatrix(n, ignore);
        cm.update(gv, pv);
        return cm;
    }

    private static String bad(Path file, int value, int index, int width, int n, int ignore) {
        return String.format(
                Locale.ROOT,
                "%s: id %d at (x=%d, y=%d) is outside [0, %d) and not the ignore id %d",
                file,
                value,
                index % width,
                index / width,
                n,
                ignore);
    }

    private static TreeSet<String> pngs(Path dir, String option) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new CliException(option + " " + dir + ": no such directory");
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile)
                    .map(p -> p.getFileName().toString())
                    .filter(f -> f.toLowerCase(Locale.ROOT).endsWith(".png"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
