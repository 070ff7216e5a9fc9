package org.dpnas.eval.det;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Box detections (a COCO results file) bound to a ground truth, following pycocotools' {@code
 * loadRes} for bbox results: the i-th detection gets id {@code i + 1}, {@code iscrowd = 0} and
 * {@code area = w * h} of its box (used for the area ranges); every {@code image_id} must be an
 * image of the ground truth (pycocotools asserts this).
 *
 * <p>Input that pycocotools would score silently wrong is an error naming the entry when a file is
 * read: a {@code category_id} that is not a ground-truth category (COCOeval would ignore it, so a
 * label-map mistake would look like low recall), a box with negative width or height, and a score
 * or coordinate that is NaN or infinite (Python's {@code json.dump} writes a bare {@code NaN}).
 * Read leniently, the first two are dropped and counted instead ({@link #droppedUnknownCategory()},
 * {@link #droppedNegativeBox()}); non-finite numbers are always errors. In-memory detections
 * ({@link #of}) follow COCOeval and drop unknown categories.
 */
public final class CocoDetections {

    /**
     * One detection of a results file.
     *
     * @param imageId the image id
     * @param categoryId the category id
     * @param x box left
     * @param y box top
     * @param width box width
     * @param height box height
     * @param score the confidence (higher first; ties keep input order)
     */
    public record Detection(
            long imageId,
            long categoryId,
            double x,
            double y,
            double width,
            double height,
            double score) {
        /** Rejects a NaN score, which has no place in the score order. */
        public Detection {
            if (Double.isNaN(score)) {
                throw new IllegalArgumentException("detection score is NaN");
            }
        }
    }

    final CocoGroundTruth gt;
    final int size;
    final int total;
    final int[] img;
    final int[] cat;
    final double[] box;
    final double[] score;
    private final int droppedCategory;
    private final int droppedBox;

    private CocoDetections(
            CocoGroundTruth gt,
            int n,
            long[] imageIds,
            long[] categoryIds,
            double[] boxes,
            double[] scores,
            Path file,
            boolean strict)
            throws CocoFormatException {
        this.gt = gt;
        this.total = n;
        int[] im = new int[n];
        int[] ca = new int[n];
        int kept = 0;
        int unknown = 0;
        int negative = 0;
        String at = file == null ? "detections[" : "[";
        String hint = " (--lenient drops and counts such detections)";
        for (int i = 0; i < n; i++) {
            im[i] = gt.imageIndex(imageIds[i]);
            if (im[i] < 0) {
                throw new CocoFormatException(
                        file,
                        (file == null ? "detections[" : "[") + i + "].image_id",
                        "image id "
                                + imageIds[i]
                                + " is not an image of the ground truth"
                                + (gt.source == null ? "" : " " + gt.source)
                                + " (results do not correspond to the ground-truth set)");
            }
            ca[i] = gt.categoryIndex(categoryIds[i]);
            if (file != null && ca[i] < 0) {
                if (strict) {
                    throw new CocoFormatException(
                            file,
                            at + i + "].category_id",
                            "category id "
                                    + categoryIds[i]
                                    + " is not a category of the ground truth"
                                    + (gt.source == null ? "" : " " + gt.source)
                                    + hint);
                }
                unknown++;
            } else if (file != null && (boxes[4 * i + 2] < 0 || boxes[4 * i + 3] < 0)) {
                if (strict) {
                    throw new CocoFormatException(
                            file,
                            at + i + "].bbox",
                            "negative "
                                    + (boxes[4 * i + 2] < 0 ? "width " + boxes[4 * i + 2] : "")
                                    + (boxes[4 * i + 2] < 0 && boxes[4 * i + 3] < 0 ? " and " : "")
                                    + (boxes[4 * i + 3] < 0 ? "height " + boxes[4 * i + 3] : "")
                                    + " in [x, y, w, h]"
                                    + hint);
                }
                negative++;
                ca[i] = -1;
            }
            if (ca[i] >= 0) {
                kept++;
            }
        }
        droppedCategory = unknown;
        droppedBox = negative;
        size = kept;
        img = new int[kept];
        cat = new int[kept];
        box = new double[4 * kept];
        score = new double[kept];
        int j = 0;
        for (int i = 0; i < n; i++) {
            if (ca[i] < 0) {
                continue;
            }
            img[j] = im[i];
            cat[j] = ca[i];
            System.arraycopy(boxes, 4 * i, box, 4 * j, 4);
            score[j] = scores[i];
            j++;
        }
    }

    /**
     * Binds in-memory detections to a ground truth, with the rules of {@link #read}.
     *
     * @param gt the ground truth
     * @param detections the detections, in "file" order (which breaks score ties)
     * @return the bound detections
     * @throws IllegalArgumentException if a detection is on an image absent from the ground truth
     */
    public static CocoDetections of(CocoGroundTruth gt, List<Detection> detections) {
        int n = detections.size();
        long[] im = new long[n];
        long[] ca = new long[n];
        double[] bx = new double[4 * n];
        double[] sc = new double[n];
        for (int i = 0; i < n; i++) {
            Detection d = detections.get(i);
            im[i] = d.imageId();
            ca[i] = d.categoryId();
            bx[4 * i] = d.x();
            bx[4 * i + 1] = d.y();
            bx[4 * i + 2] = d.width();
            bx[4 * i + 3] = d.height();
            sc[i] = d.score();
        }
        try {
            return new CocoDetections(gt, n, im, ca, bx, sc, null, false);
        } catch (CocoFormatException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * Reads a COCO bbox results file: a JSON array of objects with {@code image_id}, {@code
     * category_id}, {@code bbox} ({@code [x, y, w, h]}) and {@code score}; other fields are
     * skipped.
     *
     * @param resultsJson the results file
     * @param gt the ground truth the results refer to
     * @return the bound detections
     * @throws CocoFormatException if the file is not a JSON array of such objects, an entry lacks a
     *     field or has a malformed one (bbox not 4 numbers), or an entry is on an image id absent
     *     from the ground truth; the message names the file, the entry index and the field or id
     * @throws IOException if the file cannot be read
     */
    public static CocoDetections read(Path resultsJson, CocoGroundTruth gt) throws IOException {
        return read(resultsJson, gt, false);
    }

    /**
     * Reads a COCO bbox results file as {@link #read(Path, CocoGroundTruth)} does; with {@code
     * lenient}, detections of an unknown category or with a negative width or height are dropped
     * and counted instead of being errors.
     */
    public static CocoDetections read(Path resultsJson, CocoGroundTruth gt, boolean lenient)
            throws IOException {
        Objects.requireNonNull(gt, "gt");
        JsonReader r = CocoJson.open(resultsJson);
        try (r) {
            return parse(r, resultsJson, gt, !lenient);
        } catch (com.google.gson.stream.MalformedJsonException
                | EOFException
                | IllegalStateException
                | NumberFormatException e) {
            throw new CocoFormatException(resultsJson, r.getPath(), e);
        }
    }

    private static CocoDetections parse(JsonReader r, Path f, CocoGroundTruth gt, boolean strict)
            throws IOException {
        CocoJson.expect(r, JsonToken.BEGIN_ARRAY, f, "top level (results must be an array)");
        int cap = 1024;
        long[] im = new long[cap];
        long[] ca = new long[cap];
        double[] bx = new double[4 * cap];
        double[] sc = new double[cap];
        int n = 0;
        r.beginArray();
        while (r.hasNext()) {
            if (n == cap) {
                cap *= 2;
                im = Arrays.copyOf(im, cap);
                ca = Arrays.copyOf(ca, cap);
                bx = Arrays.copyOf(bx, 4 * cap);
                sc = Arrays.copyOf(sc, cap);
            }
            if (r.peek() != JsonToken.BEGIN_OBJECT) {
                throw new CocoFormatException(
                        f, "[" + n + "]", "expected an object, found " + CocoJson.name(r.peek()));
            }
            r.beginObject();
            int seen = 0;
            while (r.hasNext()) {
                String key = r.nextName();
                switch (key) {
                    case "image_id" -> {
                        im[n] = CocoJson.integer(r, f, where(n, key));
                        seen |= 1;
                    }
                    case "category_id" -> {
                        ca[n] = CocoJson.integer(r, f, where(n, key));
                        seen |= 2;
                    }
                    case "bbox" -> {
                        CocoJson.bbox(r, f, where(n, key), bx, 4 * n);
                        for (int c = 0; c < 4; c++) {
                            if (!Double.isFinite(bx[4 * n + c])) {
                                throw new CocoFormatException(
                                        f,
                                        where(n, key),
                                        "bbox of detection [" + n + "] has " + bx[4 * n + c]);
                            }
                        }
                        seen |= 4;
                    }
                    case "score" -> {
                        sc[n] =
                                CocoJson.finite(
                                        r, f, where(n, key), "score of detection [" + n + "]");
                        seen |= 8;
                    }
                    default -> r.skipValue();
                }
            }
            r.endObject();
            if (seen != 15) {
                String[] fields = {"image_id", "category_id", "bbox", "score"};
                for (int b = 0; b < fields.length; b++) {
                    if ((seen & (1 << b)) == 0) {
                        throw new CocoFormatException(
                                f, "[" + n + "]", "missing field '" + fields[b] + "'");
                    }
                }
            }
            n++;
        }
        r.endArray();
        if (r.peek() != JsonToken.END_DOCUMENT) {
            throw new CocoFormatException(f, "top level", "data after the results array");
        }
        return new CocoDetections(gt, n, im, ca, bx, sc, f, strict);
    }

    private static String where(int i, String field) {
        return "[" + i + "]." + field;
    }

    /**
     * The ground truth these detections are bound to.
     *
     * @return the ground truth
     */
    public CocoGroundTruth groundTruth() {
        return gt;
    }

    /**
     * The number of detections kept for evaluation (category listed in the ground truth).
     *
     * @return the kept count
     */
    public int size() {
        return size;
    }

    /**
     * Detections dropped (lenient reading) because their category is not a ground-truth category.
     *
     * @return the count
     */
    public int droppedUnknownCategory() {
        return droppedCategory;
    }

    /**
     * Detections dropped (lenient reading) because their box has a negative width or height.
     *
     * @return the count
     */
    public int droppedNegativeBox() {
        return droppedBox;
    }

    /**
     * The number of detections read, including those dropped for an unknown category.
     *
     * @return the total count
     */
    public int total() {
        return total;
    }
}
