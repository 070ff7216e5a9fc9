package org.dpnas.eval.det;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Deterministic COCO box-evaluation benchmark: generates an instances file and a results file from
 * a seed (ground truth: random boxes of all sizes with an {@code area} field below w×h, about 3%
 * crowd; results: jittered, sometimes duplicated or mislabelled copies of the ground truth plus
 * random false positives, scores on a 0.001 grid so ties occur) and times reading and evaluation
 * separately.
 */
public final class CocoBench {

    /** The default size: 5,000 images, 80 categories, 100 detections per image. */
    public static final int IMAGES = 5000;

    /** Categories in the default case. */
    public static final int CATEGORIES = 80;

    /** Detections per image in the default case. */
    public static final int DETECTIONS_PER_IMAGE = 100;

    /**
     * Timings and outcome of one benchmark run.
     *
     * @param images images in the ground truth
     * @param categories categories in the ground truth
     * @param groundTruths ground-truth annotations
     * @param detections detections in the results file
     * @param jsonBytes size of both files together
     * @param readGtSeconds wall time of {@link CocoGroundTruth#read}
     * @param readDtSeconds wall time of {@link CocoDetections#read}
     * @param evaluateSeconds wall time of {@link CocoEvaluator#evaluate(CocoGroundTruth,
     *     CocoDetections)}
     * @param stats the evaluation result
     */
    public record Result(
            int images,
            int categories,
            int groundTruths,
            int detections,
            long jsonBytes,
            double readGtSeconds,
            double readDtSeconds,
            double evaluateSeconds,
            CocoStats stats) {

        /**
         * Reading both files.
         *
         * @return seconds
         */
        public double readSeconds() {
            return readGtSeconds + readDtSeconds;
        }

        /**
         * Reading plus evaluation.
         *
         * @return seconds
         */
        public double totalSeconds() {
            return readSeconds() + evaluateSeconds;
        }

        @Override
        public String toString() {
            return String.format(
                    java.util.Locale.ROOT,
                    "%d images, %d categories, %d gt, %d dt, %.1f MB JSON: read gt %.3f s, read dt"
                            + " %.3f s, evaluate %.3f s, total %.3f s, AP %.4f",
                    images,
                    categories,
                    groundTruths,
                    detections,
                    jsonBytes / 1e6,
                    readGtSeconds,
                    readDtSeconds,
                    evaluateSeconds,
                    totalSeconds(),
                    stats.stats()[0]);
        }
    }

    private CocoBench() {}

    /**
     * Generates the default case (5,000 × 80 × 100) into {@code dir} and times it.
     *
     * @param seed the generator seed
     * @param dir where {@code instances.json} and {@code results.json} are written
     * @return timings and stats
     * @throws IOException if the files cannot be written or read
     */
    public static Result run(long seed, Path dir) throws IOException {
        return run(seed, IMAGES, CATEGORIES, DETECTIONS_PER_IMAGE, dir);
    }

    /**
     * Generates a case into {@code dir} and times reading and evaluating it.
     *
     * @param seed the generator seed
     * @param images number of images
     * @param categories number of categories
     * @param detectionsPerImage detections per image
     * @param dir where {@code instances.json} and {@code results.json} are written
     * @return timings and stats
     * @throws IOException if the files cannot be written or read
     */
    public static Result run(
            long seed, int images, int categories, int detectionsPerImage, Path dir)
            throws IOException {
        Files.createDirectories(dir);
        Path gtFile = dir.resolve("instances.json");
        Path dtFile = dir.resolve("results.json");
        generate(seed, images, categories, detectionsPerImage, gtFile, dtFile);
        long t0 = System.nanoTime();
        CocoGroundTruth gt = CocoGroundTruth.read(gtFile);
        long t1 = System.nanoTime();
        CocoDetections dt = CocoDetections.read(dtFile, gt);
        long t2 = System.nanoTime();
        CocoStats stats = CocoEvaluator.evaluate(gt, dt);
        long t3 = System.nanoTime();
        return new Result(
                gt.imageIds.length,
                gt.categoryIds.length,
                gt.size(),
                dt.total(),
                Files.size(gtFile) + Files.size(dtFile),
                (t1 - t0) / 1e9,
                (t2 - t1) / 1e9,
                (t3 - t2) / 1e9,
                stats);
    }

    /**
     * Writes a deterministic instances file and results file.
     *
     * @param seed the generator seed (same seed, same bytes)
     * @param images number of images (ids {@code 3 * i + 1})
     * @param categories number of categories (ids with gaps, names {@code cat<id>})
     * @param detectionsPerImage detections per image
     * @param gtJson the instances file to write
     * @param dtJson the results file to write
     * @throws IOException if a file cannot be written
     */
    public static void generate(
            long seed, int images, int categories, int detectionsPerImage, Path gtJson, Path dtJson)
            throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        long[] catIds = new long[categories];
        for (int c = 0; c < categories; c++) {
            catIds[c] = c + 1 + c / 10; // gaps, as in COCO
        }
        long annId = 1;
        try (Writer gw = Files.newBufferedWriter(gtJson, StandardCharsets.UTF_8);
                BufferedWriter dw = Files.newBufferedWriter(dtJson, StandardCharsets.UTF_8)) {
            StringBuilder g = new StringBuilder(1 << 16);
            StringBuilder d = new StringBuilder(1 << 16);
            g.append("{\"info\": {\"description\": \"dpnas CocoBench seed ")
                    .append(seed)
                    .append("\"},\n\"images\": [");
            for (int i = 0; i < images; i++) {
                g.append(i == 0 ? "\n" : ",\n")
                        .append("{\"id\": ")
                        .append(3L * i + 1)
                        .append(", \"width\": 640, \"height\": 480}");
            }
            g.append("],\n\"categories\": [");
            for (int c = 0; c < categories; c++) {
                g.append(c == 0 ? "\n" : ",\n")
                        .append("{\"id\": ")
                        .append(catIds[c])
                        .append(", \"name\": \"cat")
                        .append(catIds[c])
                        .append("\"}");
            }
            g.append("],\n\"annotations\": [");
            d.append('[');
            boolean firstAnn = true;
            boolean firstDet = true;
            double[] box = new double[4];
            for (int i = 0; i < images; i++) {
                long imageId = 3L * i + 1;
                int nGt = rnd.nextInt(15);
                int nDet = 0;
                for (int k = 0; k < nGt; k++) {
                    long cat = catIds[rnd.nextInt(categories)];
                    randomBox(rnd, box);
                    boolean crowd = rnd.nextDouble() < 0.03;
                    double area = round(box[2] * box[3] * (0.5 + 0.5 * rnd.nextDouble()), 2);
                    g.append(firstAnn ? "\n" : ",\n").append("{\"id\": ").append(annId++);
                    g.append(", \"image_id\": ").append(imageId).append(", \"category_id\": ");
                    g.append(cat).append(", \"bbox\": ");
                    appendBox(g, box);
                    g.append(", \"area\": ");
                    fixed(g, area, 2);
                    g.append(", \"iscrowd\": ")
                            .append(crowd ? 1 : 0)
                            .append(", \"segmentation\": [[]]}");
                    firstAnn = false;
                    int copies = rnd.nextDouble() < 0.85 ? (rnd.nextDouble() < 0.2 ? 2 : 1) : 0;
                    for (int j = 0; j < copies && nDet < detectionsPerImage; j++, nDet++) {
                        double[] b = jitter(rnd, box);
                        long dc = rnd.nextDouble() < 0.9 ? cat : catIds[rnd.nextInt(categories)];
                        firstDet = appendDet(d, firstDet, imageId, dc, b, rnd.nextDouble());
                    }
                }
                for (; nDet < detectionsPerImage; nDet++) {
                    randomBox(rnd, box);
                    long dc = catIds[rnd.nextInt(categories)];
                    firstDet = appendDet(d, firstDet, imageId, dc, box, 0.7 * rnd.nextDouble());
                }
                if (g.length() > 1 << 15) {
                    gw.append(g);
                    g.setLength(0);
                }
                if (d.length() > 1 << 15) {
                    dw.append(d);
                    d.setLength(0);
                }
            }
            g.append("]}\n");
            d.append("]\n");
            gw.append(g);
            dw.append(d);
        }
    }

    private static boolean appendDet(
            StringBuilder d, boolean first, long imageId, long cat, double[] box, double score) {
        d.append(first ? "\n" : ",\n").append("{\"image_id\": ").append(imageId);
        d.append(", \"category_id\": ").append(cat).append(", \"bbox\": ");
        appendBox(d, box);
        d.append(", \"score\": ");
        fixed(d, round(score, 3), 3);
        d.append('}');
        return false;
    }

    /** A box of log-uniform side 2..400 px inside a 640×480 image, on a 0.01 grid. */
    private static void randomBox(SplittableRandom rnd, double[] b) {
        double w = Math.exp(Math.log(2) + rnd.nextDouble() * Math.log(200));
        double h = w * Math.exp((rnd.nextDouble() - 0.5) * 1.5);
        w = Math.min(w, 640);
        h = Math.min(Math.max(h, 1), 480);
        b[0] = round(rnd.nextDouble() * (640 - w), 2);
        b[1] = round(rnd.nextDouble() * (480 - h), 2);
        b[2] = round(w, 2);
        b[3] = round(h, 2);
    }

    /** The box moved and scaled by up to about 15% of its size. */
    private static double[] jitter(SplittableRandom rnd, double[] b) {
        double s = 0.15 * rnd.nextDouble();
        return new double[] {
            round(b[0] + b[2] * s * (2 * rnd.nextDouble() - 1), 2),
            round(b[1] + b[3] * s * (2 * rnd.nextDouble() - 1), 2),
            round(b[2] * (1 + s * (2 * rnd.nextDouble() - 1)), 2),
            round(b[3] * (1 + s * (2 * rnd.nextDouble() - 1)), 2)
        };
    }

    private static void appendBox(StringBuilder sb, double[] b) {
        sb.append('[');
        for (int i = 0; i < 4; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            fixed(sb, b[i], 2);
        }
        sb.append(']');
    }

    private static double round(double v, int decimals) {
        double f = Math.pow(10, decimals);
        return Math.round(v * f) / f;
    }

    /** Appends v with exactly {@code decimals} decimals (v is already on that grid). */
    private static void fixed(StringBuilder sb, double v, int decimals) {
        long scale = (long) Math.pow(10, decimals);
        long q = Math.round(v * scale);
        if (q < 0) {
            sb.append('-');
            q = -q;
        }
        sb.append(q / scale).append('.');
        String frac = Long.toString(q % scale);
        for (int i = frac.length(); i < decimals; i++) {
            sb.append('0');
        }
        sb.append(frac);
    }

    /**
     * Runs the benchmark: {@code [seed [images categories detectionsPerImage [dir]]]}.
     *
     * @param args optional seed, size and output directory
     * @throws IOException if the files cannot be written or read
     */
    public static void main(String[] args) throws IOException {
        long seed = args.length > 0 ? Long.parseLong(args[0]) : 1;
        int images = args.length > 3 ? Integer.parseInt(args[1]) : IMAGES;
        int cats = args.length > 3 ? Integer.parseInt(args[2]) : CATEGORIES;
        int dets = args.length > 3 ? Integer.parseInt(args[3]) : DETECTIONS_PER_IMAGE;
        Path dir =
                args.length > 4 ? Path.of(args[4]) : Files.createTempDirectory("dpnas-cocobench");
        Result r = run(seed, images, cats, dets, dir);
        System.out.println(r);
        System.out.print(r.stats().summary());
    }
}
