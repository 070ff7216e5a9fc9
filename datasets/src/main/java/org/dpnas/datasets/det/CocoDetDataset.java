package org.dpnas.datasets.det;

import com.google.gson.JsonParseException;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.dpnas.common.data.Box;
import org.dpnas.datasets.seg.DatasetException;
import org.dpnas.datasets.seg.ImageDecoder;

/**
 * COCO object detection in the official layout: {@code annotations/instances_SPLIT2017.json} and
 * the image folder {@code SPLIT2017/}.
 *
 * <p>The instances file is stream-parsed (only image records, boxes and categories are kept;
 * segmentation polygons are skipped). Category ids, which have gaps, are mapped to contiguous class
 * indices in increasing id order ({@link #index(int)}, {@link #categoryId(int)}). A COCO {@code
 * bbox [x, y, w, h]} becomes {@code Box(x, y, x + w, y + h)}; {@code iscrowd} annotations become
 * ignore regions; boxes with zero or negative width or height are dropped and counted in {@link
 * #droppedDegenerate()} with one warning line. A box entirely outside its image's declared size is
 * dropped and counted in {@link #droppedOutside()}; a box partly outside is clipped to the image
 * and counted in {@link #clipped()} (one warning line per kind). Images without annotations are
 * kept. Images are ordered by image id and decoded lazily; the dataset is immutable and
 * thread-safe.
 *
 * <p><b>Problems.</b> As for {@link VocDetDataset}: by default the first problem of an annotation
 * (unknown image or category id, a bbox that is not four finite numbers, missing fields) or of an
 * image (file missing) stops loading with a {@link DatasetException} naming the file. With a
 * problem sink, each such problem goes to the sink, the annotation or image concerned is left out,
 * and loading continues. A box entirely outside its image is a problem for the sink too (without
 * one it is dropped with the warning). A file that cannot be parsed as a whole (truncated JSON,
 * duplicate image or category ids, no categories) always stops loading.
 */
public final class CocoDetDataset implements DetDataset {

    /** One image record with its converted boxes. */
    private record Entry(
            long imageId, Path image, int width, int height, List<Box> boxes, List<Box> ignore) {}

    /**
     * One annotation as read, before category and image lookup; {@code problem} is non-null when
     * the record itself is unusable.
     */
    private record RawAnnotation(
            long id, long imageId, int categoryId, double[] bbox, boolean crowd, String problem) {}

    /** One image record as read. */
    private record RawImage(long id, String fileName, int width, int height) {}

    private final Path root;
    private final String split;
    private final Path annotationFile;
    private final List<Entry> entries;
    private final List<String> classNames;
    private final int[] categoryIds;
    private final Map<Integer, Integer> indexOfCategory;
    private final int droppedDegenerate;
    private final int droppedOutside;
    private final int clipped;
    private final int listed;

    /**
     * Reads a split, sending warnings to the logger.
     *
     * @see #CocoDetDataset(Path, String, PrintStream)
     */
    public CocoDetDataset(Path root, String split) {
        this(root, split, null);
    }

    /**
     * Reads a split and parses its instances file.
     *
     * @param root the COCO root holding {@code annotations/} and the image folders
     * @param split {@code train} or {@code val} (meaning {@code train2017} / {@code val2017}), or a
     *     full folder name such as {@code val2014}
     * @param warnings where the one-line warning about dropped boxes goes, or {@code null} for the
     *     {@link System.Logger} of this class
     * @throws DatasetException naming the file if the instances file is missing or malformed, an
     *     annotation refers to an unknown image or category, or an image file is missing
     */
    public CocoDetDataset(Path root, String split, PrintStream warnings) {
        this(root, split, warnings, null);
    }

    /**
     * Reads a split, sending each problem to {@code problems} instead of stopping at the first.
     *
     * @param problems receives every problem of an annotation or image (which is then left out), or
     *     {@code null} to throw the first one
     * @see #CocoDetDataset(Path, String, PrintStream)
     */
    public CocoDetDataset(
            Path root, String split, PrintStream warnings, Consumer<DatasetException> problems) {
        Consumer<DatasetException> sink =
                problems != null
                        ? problems
                        : e -> {
                            throw e;
                        };
        this.root = Objects.requireNonNull(root, "root");
        this.split = Objects.requireNonNull(split, "split");
        if (!Files.isDirectory(root)) {
            throw new DatasetException(root, "COCO root directory not found");
        }
        String folder = split.matches(".*\\d{4}") ? split : split + "2017";
        this.annotationFile = root.resolve("annotations").resolve("instances_" + folder + ".json");
        Path imageDir = root.resolve(folder);
        if (!Files.isDirectory(imageDir)) {
            throw new DatasetException(imageDir, "COCO image folder not found");
        }

        List<RawImage> images = new ArrayList<>();
        List<RawAnnotation> annotations = new ArrayList<>();
        Map<Integer, String> categories = new HashMap<>();
        parse(annotationFile, images, annotations, categories);
        if (categories.isEmpty()) {
            throw new DatasetException(annotationFile, "no categories defined");
        }

        this.categoryIds =
                categories.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        this.indexOfCategory = new HashMap<>();
        List<String> names = new ArrayList<>(categoryIds.length);
        for (int i = 0; i < categoryIds.length; i++) {
            indexOfCategory.put(categoryIds[i], i);
            names.add(categories.get(categoryIds[i]));
        }
        this.classNames = List.copyOf(names);

        images.sort(Comparator.comparingLong(RawImage::id));
        Map<Long, Integer> position = new HashMap<>();
        List<List<Box>> boxes = new ArrayList<>(images.size());
        List<List<Box>> ignore = new ArrayList<>(images.size());
        for (RawImage im : images) {
            if (position.put(im.id(), position.size()) != null) {
                throw new DatasetException(
                        annotationFile, "image id " + im.id() + " appears twice");
            }
            boxes.add(new ArrayList<>());
            ignore.add(new ArrayList<>());
        }
        int dropped = 0;
        int droppedOut = 0;
        int clippedBoxes = 0;
        List<String> droppedWhere = new ArrayList<>();
        List<String> outsideWhere = new ArrayList<>();
        List<String> clippedWhere = new ArrayList<>();
        for (RawAnnotation a : annotations) {
            if (a.problem() != null) {
                sink.accept(
                        new DatasetException(
                                annotationFile, "annotation " + a.id() + ": " + a.problem()));
                continue;
            }
            Integer pos = position.get(a.imageId());
            if (pos == null) {
                sink.accept(
                        new DatasetException(
                                annotationFile,
                                "annotation "
                                        + a.id()
                                        + " refers to unknown image id "
                                        + a.imageId()));
                continue;
            }
            Integer cls = indexOfCategory.get(a.categoryId());
            if (cls == null) {
                sink.accept(
                        new DatasetException(
                                annotationFile,
                                "annotation "
                                        + a.id()
                                        + " refers to unknown category id "
                                        + a.categoryId()));
                continue;
            }
            RawImage im = images.get(pos);
            String where = "annotation " + a.id() + " (" + im.fileName() + ")";
            double[] b = a.bbox();
            if (!(b[2] > 0) || !(b[3] > 0)) {
                dropped++;
                droppedWhere.add(where);
                continue;
            }
            double x1 = b[0];
            double y1 = b[1];
            double x2 = b[0] + b[2];
            double y2 = b[1] + b[3];
            int w = im.width();
            int h = im.height();
            if ((w > 0 && (x1 >= w || x2 <= 0)) || (h > 0 && (y1 >= h || y2 <= 0))) {
                droppedOut++;
                outsideWhere.add(where);
                if (problems != null) {
                    problems.accept(
                            new DatasetException(
                                    annotationFile,
                                    String.format(
                                            Locale.ROOT,
                                            "%s: bbox [%s, %s, %s, %s] lies entirely outside the"
                                                    + " %dx%d image (dropped)",
                                            where,
                                            fmt(b[0]),
                                            fmt(b[1]),
                                            fmt(b[2]),
                                            fmt(b[3]),
                                            w,
                                            h)));
                }
                continue;
            }
            if (x1 < 0 || y1 < 0 || (w > 0 && x2 > w) || (h > 0 && y2 > h)) {
                clippedBoxes++;
                clippedWhere.add(where);
                x1 = Math.max(0, x1);
                y1 = Math.max(0, y1);
                x2 = w > 0 ? Math.min(w, x2) : x2;
                y2 = h > 0 ? Math.min(h, y2) : y2;
            }
            Box box = new Box((float) x1, (float) y1, (float) x2, (float) y2, cls);
            (a.crowd() ? ignore : boxes).get(pos).add(box);
        }
        List<Entry> list = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            RawImage im = images.get(i);
            Path file = imageDir.resolve(im.fileName());
            if (!Files.isRegularFile(file)) {
                sink.accept(
                        new DatasetException(
                                file,
                                "image file not found (image id "
                                        + im.id()
                                        + " in "
                                        + annotationFile
                                        + ")"));
                continue;
            }
            list.add(
                    new Entry(
                            im.id(),
                            file,
                            im.width(),
                            im.height(),
                            List.copyOf(boxes.get(i)),
                            List.copyOf(ignore.get(i))));
        }
        this.entries = List.copyOf(list);
        this.listed = images.size();
        this.droppedDegenerate = dropped;
        this.droppedOutside = droppedOut;
        this.clipped = clippedBoxes;
        if (dropped > 0) {
            Warnings.emit(
                    warnings,
                    CocoDetDataset.class,
                    annotationFile
                            + ": dropped "
                            + dropped
                            + " degenerate box(es) (zero or negative width or height): "
                            + Warnings.names(droppedWhere));
        }
        if (droppedOut > 0) {
            Warnings.emit(
                    warnings,
                    CocoDetDataset.class,
                    annotationFile
                            + ": dropped "
                            + droppedOut
                            + " box(es) entirely outside the image: "
                            + Warnings.names(outsideWhere));
        }
        if (clippedBoxes > 0) {
            Warnings.emit(
                    warnings,
                    CocoDetDataset.class,
                    annotationFile
                            + ": clipped "
                            + clippedBoxes
                            + " box(es) partly outside the image to it: "
                            + Warnings.names(clippedWhere));
        }
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15
                ? Long.toString((long) v)
                : Double.toString(v);
    }

    private static void parse(
            Path file,
            List<RawImage> images,
            List<RawAnnotation> annotations,
            Map<Integer, String> categories) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                JsonReader json = new JsonReader(in)) {
            json.beginObject();
            while (json.hasNext()) {
                switch (json.nextName()) {
                    case "images" -> {
                        json.beginArray();
                        while (json.hasNext()) {
                            images.add(readImage(json, file));
                        }
                        json.endArray();
                    }
                    case "annotations" -> {
                        json.beginArray();
                        while (json.hasNext()) {
                            annotations.add(readAnnotation(json, file));
                        }
                        json.endArray();
                    }
                    case "categories" -> {
                        json.beginArray();
                        while (json.hasNext()) {
                            readCategory(json, file, categories);
                        }
                        json.endArray();
                    }
                    default -> json.skipValue();
                }
            }
            json.endObject();
        } catch (NoSuchFileException e) {
            throw new DatasetException(file, "COCO instances file not found", e);
        } catch (IOException
                | JsonParseException
                | IllegalStateException
                | NumberFormatException e) {
            throw new DatasetException(
                    file, "malformed COCO instances file (truncated?): " + e.getMessage(), e);
        }
    }

    private static RawImage readImage(JsonReader json, Path file) throws IOException {
        long id = -1;
        String name = null;
        int width = 0;
        int height = 0;
        json.beginObject();
        while (json.hasNext()) {
            switch (json.nextName()) {
                case "id" -> id = json.nextLong();
                case "file_name" -> name = json.nextString();
                case "width" -> width = json.nextInt();
                case "height" -> height = json.nextInt();
                default -> json.skipValue();
            }
        }
        json.endObject();
        if (id < 0 || name == null) {
            throw new DatasetException(
                    file, "image record without id or file_name near " + json.getPath());
        }
        return new RawImage(id, name, width, height);
    }

    private static RawAnnotation readAnnotation(JsonReader json, Path file) throws IOException {
        long id = -1;
        long imageId = -1;
        int categoryId = Integer.MIN_VALUE;
        double[] bbox = null;
        boolean crowd = false;
        String problem = null;
        json.beginObject();
        while (json.hasNext()) {
            switch (json.nextName()) {
                case "id" -> id = json.nextLong();
                case "image_id" -> imageId = json.nextLong();
                case "category_id" -> categoryId = json.nextInt();
                case "iscrowd" ->
                        crowd =
                                json.peek() == JsonToken.BOOLEAN
                                        ? json.nextBoolean()
                                        : json.nextInt() != 0;
                case "bbox" -> {
                    double[] b = new double[4];
                    int n = 0;
                    json.beginArray();
                    while (json.hasNext()) {
                        double v = json.nextDouble();
                        if (n < 4) {
                            b[n] = v;
                        }
                        n++;
                    }
                    json.endArray();
                    if (n != 4) {
                        problem = "bbox has " + n + " numbers, expected 4 [x, y, width, height]";
                    } else if (!(Double.isFinite(b[0])
                            && Double.isFinite(b[1])
                            && Double.isFinite(b[2])
                            && Double.isFinite(b[3]))) {
                        problem = "bbox " + Arrays.toString(b) + " is not finite";
                    }
                    bbox = b;
                }
                default -> json.skipValue();
            }
        }
        json.endObject();
        if (problem == null && (imageId < 0 || categoryId == Integer.MIN_VALUE || bbox == null)) {
            problem = "lacks image_id, category_id or bbox (near " + json.getPath() + ")";
        }
        return new RawAnnotation(id, imageId, categoryId, bbox, crowd, problem);
    }

    private static void readCategory(JsonReader json, Path file, Map<Integer, String> categories)
            throws IOException {
        Integer id = null;
        String name = null;
        json.beginObject();
        while (json.hasNext()) {
            switch (json.nextName()) {
                case "id" -> id = json.nextInt();
                case "name" -> name = json.nextString();
                default -> json.skipValue();
            }
        }
        json.endObject();
        if (id == null || name == null) {
            throw new DatasetException(file, "category without id or name near " + json.getPath());
        }
        if (categories.put(id, name) != null) {
            throw new DatasetException(file, "category id " + id + " appears twice");
        }
    }

    /** The COCO root this split was read from. */
    public Path root() {
        return root;
    }

    /** The split name given at construction. */
    public String split() {
        return split;
    }

    /** The instances JSON file that was parsed. */
    public Path annotationFile() {
        return annotationFile;
    }

    /** The COCO category id of contiguous class {@code index}. */
    public int categoryId(int index) {
        return categoryIds[Objects.checkIndex(index, categoryIds.length)];
    }

    /**
     * The contiguous class index of a COCO category id.
     *
     * @throws IllegalArgumentException if the id is not a category of this file
     */
    public int index(int categoryId) {
        Integer i = indexOfCategory.get(categoryId);
        if (i == null) {
            throw new IllegalArgumentException(
                    "unknown COCO category id "
                            + categoryId
                            + "; known: "
                            + Arrays.toString(categoryIds));
        }
        return i;
    }

    /** The COCO image id of image {@code index}. */
    public long imageId(int index) {
        return entries.get(index).imageId();
    }

    /** The image file of image {@code index}. */
    public Path imagePath(int index) {
        return entries.get(index).image();
    }

    /** Number of boxes with zero or negative width or height dropped while reading. */
    public int droppedDegenerate() {
        return droppedDegenerate;
    }

    /** Number of boxes dropped because they lie entirely outside their image's declared size. */
    public int droppedOutside() {
        return droppedOutside;
    }

    /** Number of boxes partly outside their image's declared size, clipped to it. */
    public int clipped() {
        return clipped;
    }

    /** Number of image records in the instances file (those left out for a problem included). */
    public int listed() {
        return listed;
    }

    @Override
    public int size() {
        return entries.size();
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    /**
     * Decodes image {@code index}; its boxes were read at construction.
     *
     * @throws DatasetException naming the file if the image is unreadable or its size differs from
     *     the size in the instances file
     */
    @Override
    public DetSample get(int index) {
        Entry e = entries.get(Objects.checkIndex(index, entries.size()));
        ImageDecoder.RgbImage img =
                ImageDecoder.readRgb(e.image(), e.width(), e.height(), annotationFile);
        String id = e.image().getFileName().toString();
        int dot = id.lastIndexOf('.');
        return new DetSample(
                dot > 0 ? id.substring(0, dot) : id,
                img.height(),
                img.width(),
                img.rgb(),
                e.boxes(),
                e.ignore());
    }
}
