package org.dpnas.cli.data;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntUnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.dpnas.common.data.Box;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.data.SegSample;
import org.dpnas.datasets.det.CocoDetDataset;
import org.dpnas.datasets.det.DetDataset;
import org.dpnas.datasets.det.DetSample;
import org.dpnas.datasets.det.VocDetDataset;
import org.dpnas.datasets.seg.CamVidDataset;
import org.dpnas.datasets.seg.CityscapesDataset;
import org.dpnas.datasets.seg.DatasetException;
import org.dpnas.datasets.seg.ImageDecoder;
import org.dpnas.datasets.seg.VocSegDataset;

/**
 * Reads every sample of a dataset split and collects statistics and problems without stopping at
 * the first bad file. Segmentation folders are listed leniently (a missing image or label is one
 * problem, not a fatal error) and each pair is decoded, compared in size and mapped to train ids as
 * the loaders do; detection sets are opened with their loaders and every image is decoded.
 */
public final class DataCheck {

    /** Dataset names {@code data check} accepts. */
    public static final List<String> NAMES =
            List.of("cityscapes", "voc", "camvid", "coco", "voc-det", "synthetic");

    /** One listed segmentation sample. */
    private record Pair(Path image, Path label) {}

    /** The outcome of checking one pair. */
    private record PairResult(long[] pixels, long ignored, List<CheckReport.Problem> problems) {}

    private DataCheck() {}

    /**
     * Checks a split.
     *
     * @param dataset one of {@link #NAMES}
     * @param root the dataset root (ignored for {@code synthetic})
     * @param split the split
     * @param synthetic the synthetic split to check when {@code dataset} is {@code synthetic}
     * @return the report
     * @throws IllegalArgumentException for an unknown dataset name
     */
    public static CheckReport check(String dataset, Path root, String split, SegDataset synthetic) {
        switch (dataset) {
            case "camvid":
                return seg(
                        dataset,
                        split,
                        CamVidDataset.CLASS_NAMES,
                        camvidMap(),
                        r -> camvid(root, split, r));
            case "voc":
                return seg(
                        dataset,
                        split,
                        VocSegDataset.CLASS_NAMES,
                        vocMap(),
                        r -> voc(root, split, r));
            case "cityscapes":
                return seg(
                        dataset,
                        split,
                        CityscapesDataset.CLASS_NAMES,
                        CityscapesDataset::trainId,
                        r -> cityscapes(root, split, r));
            case "synthetic":
                return loaded(dataset, split, synthetic);
            case "coco":
            case "voc-det":
                return det(dataset, root, split);
            default:
                throw new IllegalArgumentException(
                        "unknown dataset '"
                                + dataset
                                + "': expected one of "
                                + String.join(", ", NAMES));
        }
    }

    /** Lists pairs, recording listing problems in the report. */
    private interface Lister {
        List<Pair> list(CheckReport report);
    }

    private static CheckReport seg(
            String dataset,
            String split,
            List<String> classNames,
            IntUnaryOperator map,
            Lister lister) {
        CheckReport report = new CheckReport(dataset, split, true, classNames);
        List<Pair> pairs = lister.list(report);
        int listed = report.images();
        int k = classNames.size();
        PairResult[] results = new PairResult[pairs.size()];
        IntStream.range(0, pairs.size())
                .parallel()
                .forEach(i -> results[i] = checkPair(pairs.get(i), map, k));
        for (PairResult r : results) {
            for (CheckReport.Problem p : r.problems()) {
                report.problem(Path.of(p.file()), p.problem());
            }
            if (r.pixels() != null) {
                report.addPixels(r.pixels(), r.ignored());
            }
        }
        report.images(Math.max(listed, pairs.size()));
        return report;
    }

    private static PairResult checkPair(Pair p, IntUnaryOperator map, int numClasses) {
        List<CheckReport.Problem> problems = new ArrayList<>();
        ImageDecoder.RgbImage image = null;
        ImageDecoder.GrayImage label = null;
        try {
            image = ImageDecoder.readRgb(p.image());
        } catch (DatasetException e) {
            problems.add(problem(e, p.image()));
        }
        try {
            label = ImageDecoder.readGray(p.label());
        } catch (DatasetException e) {
            problems.add(problem(e, p.label()));
        }
        if (image == null || label == null) {
            return new PairResult(null, 0, problems);
        }
        if (image.width() != label.width() || image.height() != label.height()) {
            problems.add(
                    new CheckReport.Problem(
                            p.label().toString(),
                            String.format(
                                    Locale.ROOT,
                                    "label size %dx%d differs from image size %dx%d (width x"
                                            + " height) of %s",
                                    label.width(),
                                    label.height(),
                                    image.width(),
                                    image.height(),
                                    p.image())));
            return new PairResult(null, 0, problems);
        }
        long[] pixels = new long[numClasses];
        long ignored = 0;
        long bad = 0;
        int firstBad = -1;
        boolean[] badValues = new boolean[256];
        byte[] v = label.values();
        for (int i = 0; i < v.length; i++) {
            int raw = v[i] & 0xff;
            int t = map.applyAsInt(raw);
            if (t == SegSample.IGNORE) {
                ignored++;
            } else if (t >= 0 && t < numClasses) {
                pixels[t]++;
            } else {
                bad++;
                badValues[raw] = true;
                if (firstBad < 0) {
                    firstBad = i;
                }
            }
        }
        if (bad > 0) {
            List<String> values = new ArrayList<>();
            for (int b = 0; b < 256; b++) {
                if (badValues[b]) {
                    values.add(Integer.toString(b));
                }
            }
            problems.add(
                    new CheckReport.Problem(
                            p.label().toString(),
                            String.format(
                                    Locale.ROOT,
                                    "%d pixels have label ids out of range (values %s; first at"
                                            + " x=%d, y=%d); expected 0..%d or 255",
                                    bad,
                                    String.join(", ", values),
                                    firstBad % label.width(),
                                    firstBad / label.width(),
                                    numClasses - 1)));
            return new PairResult(null, 0, problems);
        }
        return new PairResult(pixels, ignored, problems);
    }

    private static CheckReport.Problem problem(DatasetException e, Path file) {
        String m = String.valueOf(e.getMessage());
        String prefix = file + ": ";
        return new CheckReport.Problem(
                file.toString(), m.startsWith(prefix) ? m.substring(prefix.length()) : m);
    }

    /** CamVid raw values: 0..10 are classes, 11 (void) and 255 are ignored. */
    private static IntUnaryOperator camvidMap() {
        return v -> v < CamVidDataset.VOID ? v : v == CamVidDataset.VOID || v == 255 ? 255 : -1;
    }

    /** VOC palette indices: 0..20 are classes, 255 (borders) is ignored. */
    private static IntUnaryOperator vocMap() {
        return v -> v < VocSegDataset.CLASS_NAMES.size() || v == 255 ? v : -1;
    }

    private static List<String> listLines(Path listFile, CheckReport report) {
        if (!Files.isRegularFile(listFile)) {
            report.problem(listFile, "split list file not found");
            return List.of();
        }
        try {
            List<String> lines = new ArrayList<>();
            for (String l : Files.readAllLines(listFile, StandardCharsets.UTF_8)) {
                if (!l.isBlank()) {
                    lines.add(l.strip());
                }
            }
            if (lines.isEmpty()) {
                report.problem(listFile, "split list file has no entries");
            }
            return lines;
        } catch (IOException | UncheckedIOException e) {
            report.problem(listFile, "cannot read split list file: " + e);
            return List.of();
        }
    }

    /** Keeps pairs whose files both exist; a missing one is a problem (and counts as an image). */
    private static List<Pair> existing(List<Pair> all, Path listFile, CheckReport report) {
        List<Pair> ok = new ArrayList<>();
        for (Pair p : all) {
            boolean good = true;
            if (!Files.isRegularFile(p.image())) {
                report.problem(p.image(), "image file not found (listed in " + listFile + ")");
                good = false;
            }
            if (!Files.isRegularFile(p.label())) {
                report.problem(p.label(), "label file missing for image " + p.image());
                good = false;
            }
            if (good) {
                ok.add(p);
            }
        }
        report.images(all.size());
        return ok;
    }

    private static List<Pair> camvid(Path root, String split, CheckReport report) {
        Path listFile = root.resolve(split + ".txt");
        List<Pair> all = new ArrayList<>();
        int n = 0;
        for (String line : listLines(listFile, report)) {
            n++;
            String[] parts = line.split("\\s+");
            if (parts.length != 2) {
                report.problem(
                        listFile,
                        "entry " + n + " should be \"image label\", got \"" + line + "\"");
                continue;
            }
            all.add(new Pair(camvidPath(root, parts[0]), camvidPath(root, parts[1])));
        }
        return existing(all, listFile, report);
    }

    /** Maps a CamVid list path (possibly absolute, from the SegNet distribution) under the root. */
    static Path camvidPath(Path root, String listed) {
        String p = listed.replace('\\', '/');
        if (p.startsWith("/")) {
            int at = p.lastIndexOf("/CamVid/");
            if (at >= 0) {
                p = p.substring(at + "/CamVid/".length());
            } else {
                String[] parts = p.split("/");
                int from = Math.max(0, parts.length - 2);
                p = String.join("/", List.of(parts).subList(from, parts.length));
            }
        } else if (p.startsWith("./")) {
            p = p.substring(2);
        }
        return root.resolve(p).normalize();
    }

    private static List<Pair> voc(Path root, String split, CheckReport report) {
        boolean aug = split.endsWith("_aug");
        Path labelDir = root.resolve(aug ? VocSegDataset.AUG_LABEL_DIR : "SegmentationClass");
        Path listFile = root.resolve("ImageSets").resolve("Segmentation").resolve(split + ".txt");
        List<Pair> all = new ArrayList<>();
        int n = 0;
        for (String line : listLines(listFile, report)) {
            n++;
            String[] parts = line.split("\\s+");
            if (parts.length == 1) {
                all.add(
                        new Pair(
                                root.resolve("JPEGImages").resolve(parts[0] + ".jpg"),
                                labelDir.resolve(parts[0] + ".png")));
            } else if (parts.length == 2) {
                all.add(
                        new Pair(
                                root.resolve(parts[0].replaceFirst("^/+", "")).normalize(),
                                root.resolve(parts[1].replaceFirst("^/+", "")).normalize()));
            } else {
                report.problem(
                        listFile,
                        "entry " + n + " should be an id or \"image label\", got \"" + line + "\"");
            }
        }
        return existing(all, listFile, report);
    }

    private static List<Pair> cityscapes(Path root, String split, CheckReport report) {
        String imageSuffix = "_leftImg8bit.png";
        Path imageDir = root.resolve("leftImg8bit").resolve(split);
        Path labelDir = root.resolve("gtFine").resolve(split);
        if (!Files.isDirectory(imageDir)) {
            report.problem(imageDir, "Cityscapes image folder not found");
            return List.of();
        }
        List<Path> images;
        try (Stream<Path> walk = Files.walk(imageDir, 2)) {
            images =
                    walk.filter(p -> p.getFileName().toString().endsWith(imageSuffix))
                            .sorted()
                            .toList();
        } catch (IOException | UncheckedIOException e) {
            report.problem(imageDir, "cannot list images: " + e);
            return List.of();
        }
        if (images.isEmpty()) {
            report.problem(imageDir, "no CITY/*" + imageSuffix + " files found");
        }
        List<Pair> all = new ArrayList<>();
        for (Path image : images) {
            String name = image.getFileName().toString();
            String stem = name.substring(0, name.length() - imageSuffix.length());
            Path city = imageDir.relativize(image).getParent();
            Path dir = city == null ? labelDir : labelDir.resolve(city.toString());
            all.add(new Pair(image, dir.resolve(stem + "_gtFine_labelIds.png")));
        }
        return existing(all, imageDir, report);
    }

    /** Checks a dataset that opened as a whole (synthetic), sample by sample. */
    private static CheckReport loaded(String dataset, String split, SegDataset ds) {
        CheckReport report = new CheckReport(dataset, split, true, ds.classNames());
        report.images(ds.size());
        int k = ds.numClasses();
        for (int i = 0; i < ds.size(); i++) {
            try {
                SegSample s = ds.get(i);
                long[] px = new long[k];
                long ignored = 0;
                for (byte b : s.label()) {
                    int t = b & 0xff;
                    if (t == SegSample.IGNORE) {
                        ignored++;
                    } else if (t < k) {
                        px[t]++;
                    } else {
                        report.problem(Path.of(s.id()), "label id " + t + " out of range");
                        break;
                    }
                }
                report.addPixels(px, ignored);
            } catch (DatasetException | IllegalArgumentException e) {
                report.problem(Path.of("sample " + i), String.valueOf(e.getMessage()));
            }
        }
        return report;
    }

    private static CheckReport det(String dataset, Path root, String split) {
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        DetDataset ds;
        try {
            ds =
                    dataset.equals("coco")
                            ? new CocoDetDataset(root, split, quiet)
                            : new VocDetDataset(root, split, null, false, quiet);
        } catch (DatasetException e) {
            CheckReport r = new CheckReport(dataset, split, false, List.of());
            r.problem(e, root);
            return r;
        }
        CheckReport report = new CheckReport(dataset, split, false, ds.classNames());
        report.images(ds.size());
        if (ds instanceof VocDetDataset voc) {
            report.droppedDegenerate(voc.droppedDegenerate());
            for (String f : voc.degenerateFiles()) {
                report.problem(
                        root.resolve("Annotations").resolve(f),
                        "degenerate box(es) (zero or negative width or height) dropped");
            }
        } else if (ds instanceof CocoDetDataset coco && coco.droppedDegenerate() > 0) {
            report.droppedDegenerate(coco.droppedDegenerate());
            report.problem(
                    coco.annotationFile(),
                    coco.droppedDegenerate()
                            + " degenerate box(es) (zero or negative width or height) dropped");
        }
        for (int i = 0; i < ds.size(); i++) {
            Path image =
                    ds instanceof VocDetDataset v
                            ? v.imagePath(i)
                            : ((CocoDetDataset) ds).imagePath(i);
            try {
                DetSample s = ds.get(i);
                for (Box b : s.boxes()) {
                    report.addBox(ds.classNames().get(b.classId()));
                }
            } catch (DatasetException e) {
                report.problem(e, image);
            }
        }
        return report;
    }
}
