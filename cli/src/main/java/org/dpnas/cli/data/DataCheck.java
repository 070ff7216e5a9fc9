package org.dpnas.cli.data;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.IntStream;
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
import org.dpnas.datasets.seg.VocSegDataset;

/**
 * Reads every sample of a dataset split through the dataset's own loader and collects statistics
 * and problems without stopping at the first bad file: the layout is known only to the loaders (a
 * missing image or label, a size mismatch, an out-of-range id or a truncated file is a problem of
 * that sample); detection sets are opened with a problem sink, so a malformed annotation, an
 * unknown class or a box outside the image is named with its file while the other files are still
 * checked, and only the split's own files are read.
 */
public final class DataCheck {

    /** Dataset names {@code data check} accepts. */
    public static final List<String> NAMES =
            List.of("cityscapes", "voc", "camvid", "coco", "voc-det", "synthetic");

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
        return check(dataset, root, split, synthetic, null);
    }

    /**
     * Checks a split; for {@code voc-det}, {@code classes} (when not null) is the class list every
     * object name must be in.
     */
    public static CheckReport check(
            String dataset, Path root, String split, SegDataset synthetic, List<String> classes) {
        switch (dataset) {
            case "camvid":
                return seg(
                        dataset,
                        split,
                        root,
                        CamVidDataset.CLASS_NAMES,
                        () -> new CamVidDataset(root, split));
            case "voc":
                return seg(
                        dataset,
                        split,
                        root,
                        VocSegDataset.CLASS_NAMES,
                        () -> new VocSegDataset(root, split));
            case "cityscapes":
                return seg(
                        dataset,
                        split,
                        root,
                        CityscapesDataset.CLASS_NAMES,
                        () -> new CityscapesDataset(root, split));
            case "synthetic":
                return seg(dataset, split, null, synthetic.classNames(), () -> synthetic);
            case "coco":
            case "voc-det":
                return det(dataset, root, split, classes);
            default:
                throw new IllegalArgumentException(
                        "unknown dataset '"
                                + dataset
                                + "': expected one of "
                                + String.join(", ", NAMES));
        }
    }

    /** Pixels per class and ignored pixels of one sample, or the problem that stopped it. */
    private record SampleResult(long[] pixels, long ignored, DatasetException problem) {}

    private static CheckReport seg(
            String dataset,
            String split,
            Path root,
            List<String> classNames,
            Supplier<SegDataset> open) {
        SegDataset ds;
        try {
            ds = open.get();
        } catch (DatasetException e) {
            CheckReport r = new CheckReport(dataset, split, true, classNames);
            r.problem(e, root == null ? Path.of(dataset) : root);
            return r;
        }
        CheckReport report = new CheckReport(dataset, split, true, ds.classNames());
        report.images(ds.size());
        int k = ds.numClasses();
        SampleResult[] results = new SampleResult[ds.size()];
        IntStream.range(0, ds.size()).parallel().forEach(i -> results[i] = sample(ds, i, k));
        for (int i = 0; i < results.length; i++) {
            SampleResult r = results[i];
            if (r.problem() != null) {
                Path file = r.problem().file();
                report.problem(r.problem(), file != null ? file : Path.of("sample " + i));
            } else {
                report.addPixels(r.pixels(), r.ignored());
            }
        }
        return report;
    }

    private static SampleResult sample(SegDataset ds, int i, int k) {
        try {
            SegSample s = ds.get(i);
            long[] px = new long[k];
            long ignored = 0;
            for (byte b : s.label()) {
                int t = b & 0xff;
                if (t == SegSample.IGNORE) {
                    ignored++;
                } else {
                    px[t]++; // the loader maps every id into range or rejects the sample
                }
            }
            return new SampleResult(px, ignored, null);
        } catch (DatasetException e) {
            return new SampleResult(null, 0, e);
        }
    }

    private static CheckReport det(String dataset, Path root, String split, List<String> classes) {
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        List<DatasetException> problems = new ArrayList<>();
        DetDataset ds;
        try {
            ds =
                    dataset.equals("coco")
                            ? new CocoDetDataset(root, split, quiet, problems::add)
                            : new VocDetDataset(root, split, classes, false, quiet, problems::add);
        } catch (DatasetException e) {
            CheckReport r = new CheckReport(dataset, split, false, List.of());
            r.problem(e, root);
            return r;
        }
        CheckReport report = new CheckReport(dataset, split, false, ds.classNames());
        for (DatasetException e : problems) {
            report.problem(e, fileOf(e));
        }
        if (ds instanceof VocDetDataset voc) {
            report.images(voc.listed());
            report.droppedDegenerate(voc.droppedDegenerate());
            report.droppedOutside(voc.droppedOutside());
            report.clipped(voc.clipped());
            for (String f : voc.degenerateFiles()) {
                report.problem(
                        root.resolve("Annotations").resolve(f),
                        "degenerate box(es) (zero or negative width or height) dropped");
            }
        } else if (ds instanceof CocoDetDataset coco) {
            report.images(coco.listed());
            report.droppedOutside(coco.droppedOutside());
            report.clipped(coco.clipped());
            if (coco.droppedDegenerate() > 0) {
                report.droppedDegenerate(coco.droppedDegenerate());
                report.problem(
                        coco.annotationFile(),
                        coco.droppedDegenerate()
                                + " degenerate box(es) (zero or negative width or height) dropped");
            }
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

    /** The file a dataset problem concerns. */
    private static Path fileOf(DatasetException e) {
        return e.file() != null ? e.file() : Path.of("?");
    }
}
