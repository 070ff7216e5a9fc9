package org.dpnas.eval.det;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * COCO instances ground truth held in primitive arrays, with the selection rules of pycocotools'
 * {@code COCOeval}: the evaluated images are the ids of the {@code images} list, the evaluated
 * categories are the ids of the {@code categories} list (both sorted ascending, duplicates merged),
 * and annotations on other images or categories are dropped, as {@code getAnnIds(imgIds, catIds)}
 * drops them.
 *
 * <p>Each kept annotation carries its {@code bbox}, its {@code area} field (used for the area
 * ranges, not the box's w×h) and its {@code iscrowd} flag (absent counts as 0); crowd annotations
 * are ignored during matching, as {@code _prepare} sets {@code ignore = iscrowd}.
 */
public final class CocoGroundTruth {

    /**
     * One entry of the {@code categories} list.
     *
     * @param id the category id
     * @param name the category name (keys {@link CocoStats#perCategoryAP()})
     */
    public record Category(long id, String name) {
        /** Checks that the name is present. */
        public Category {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * One ground-truth instance annotation.
     *
     * @param id the annotation id ({@code 0} is legal but, as in pycocotools, a detection matched
     *     to it cannot count as a true positive because match id 0 means "unmatched")
     * @param imageId the image id
     * @param categoryId the category id
     * @param x box left
     * @param y box top
     * @param width box width
     * @param height box height
     * @param area the {@code area} field used for the area ranges (the segment area in COCO)
     * @param crowd the {@code iscrowd} flag
     */
    public record Annotation(
            long id,
            long imageId,
            long categoryId,
            double x,
            double y,
            double width,
            double height,
            double area,
            boolean crowd) {

        /**
         * A non-crowd annotation whose area is its box's width × height.
         *
         * @param id the annotation id
         * @param imageId the image id
         * @param categoryId the category id
         * @param x box left
         * @param y box top
         * @param width box width
         * @param height box height
         * @return the annotation
         */
        public static Annotation box(
                long id,
                long imageId,
                long categoryId,
                double x,
                double y,
                double width,
                double height) {
            return new Annotation(
                    id, imageId, categoryId, x, y, width, height, width * height, false);
        }
    }

    final Path source;
    final long[] imageIds;
    final long[] categoryIds;
    final String[] categoryNames;
    final int size;
    final long[] annIds;
    final int[] annImage;
    final int[] annCat;
    final double[] box;
    final double[] area;
    final boolean[] crowd;

    private CocoGroundTruth(
            Path source,
            long[] rawImageIds,
            int nImages,
            long[] rawCatIds,
            String[] rawCatNames,
            int nCats,
            Raw anns) {
        this.source = source;
        this.imageIds = sortedUnique(Arrays.copyOf(rawImageIds, nImages));
        this.categoryIds = sortedUnique(Arrays.copyOf(rawCatIds, nCats));
        this.categoryNames = new String[categoryIds.length];
        for (int i = 0; i < nCats; i++) { // later duplicates win, like the cats dict
            categoryNames[Arrays.binarySearch(categoryIds, rawCatIds[i])] = rawCatNames[i];
        }
        int kept = 0;
        int[] img = new int[anns.n];
        int[] cat = new int[anns.n];
        for (int i = 0; i < anns.n; i++) {
            img[i] = Arrays.binarySearch(imageIds, anns.imageId[i]);
            cat[i] = Arrays.binarySearch(categoryIds, anns.categoryId[i]);
            if (img[i] >= 0 && cat[i] >= 0) {
                kept++;
            }
        }
        size = kept;
        annIds = new long[kept];
        annImage = new int[kept];
        annCat = new int[kept];
        box = new double[4 * kept];
        area = new double[kept];
        crowd = new boolean[kept];
        int j = 0;
        for (int i = 0; i < anns.n; i++) {
            if (img[i] < 0 || cat[i] < 0) {
                continue;
            }
            annIds[j] = anns.id[i];
            annImage[j] = img[i];
            annCat[j] = cat[i];
            System.arraycopy(anns.box, 4 * i, box, 4 * j, 4);
            area[j] = anns.area[i];
            crowd[j] = anns.crowd[i];
            j++;
        }
    }

    /**
     * Builds ground truth in memory, applying the same selection rules as {@link #read}.
     *
     * @param imageIds the ids of the evaluated images (the {@code images} list)
     * @param categories the evaluated categories (the {@code categories} list)
     * @param annotations the annotations; those on other images or categories are dropped
     * @return the ground truth
     */
    public static CocoGroundTruth of(
            Collection<Long> imageIds, List<Category> categories, List<Annotation> annotations) {
        long[] imgs = new long[imageIds.size()];
        int n = 0;
        for (Long id : imageIds) {
            imgs[n++] = id;
        }
        long[] catIds = new long[categories.size()];
        String[] names = new String[categories.size()];
        for (int i = 0; i < catIds.length; i++) {
            catIds[i] = categories.get(i).id();
            names[i] = categories.get(i).name();
        }
        Raw raw = new Raw();
        for (Annotation a : annotations) {
            int i = raw.add();
            raw.id[i] = a.id();
            raw.imageId[i] = a.imageId();
            raw.categoryId[i] = a.categoryId();
            raw.box[4 * i] = a.x();
            raw.box[4 * i + 1] = a.y();
            raw.box[4 * i + 2] = a.width();
            raw.box[4 * i + 3] = a.height();
            raw.area[i] = a.area();
            raw.crowd[i] = a.crowd();
        }
        return new CocoGroundTruth(null, imgs, imgs.length, catIds, names, catIds.length, raw);
    }

    /**
     * Reads a COCO instances file ({@code images}, {@code annotations}, {@code categories}; other
     * top-level fields and annotation fields such as {@code segmentation} are skipped).
     *
     * @param instancesJson the file
     * @return the ground truth
     * @throws CocoFormatException if the file is not valid JSON or an entry lacks a required field
     *     ({@code images[i].id}, {@code categories[i].id/name}, {@code annotations[i].id/image_id/
     *     category_id/bbox/area}) or has a malformed one; the message names the file and entry
     * @throws IOException if the file cannot be read
     */
    public static CocoGroundTruth read(Path instancesJson) throws IOException {
        JsonReader r = CocoJson.open(instancesJson);
        try (r) {
            return parse(r, instancesJson);
        } catch (com.google.gson.stream.MalformedJsonException
                | EOFException
                | IllegalStateException
                | NumberFormatException e) {
            throw new CocoFormatException(instancesJson, r.getPath(), e);
        }
    }

    private static CocoGroundTruth parse(JsonReader r, Path f) throws IOException {
        CocoJson.expect(r, JsonToken.BEGIN_OBJECT, f, "top level");
        r.beginObject();
        long[] imgs = null;
        int nImgs = 0;
        long[] catIds = null;
        String[] catNames = null;
        int nCats = 0;
        Raw raw = new Raw();
        while (r.hasNext()) {
            String key = r.nextName();
            switch (key) {
                case "images" -> {
                    imgs = new long[16];
                    CocoJson.expect(r, JsonToken.BEGIN_ARRAY, f, "images");
                    r.beginArray();
                    while (r.hasNext()) {
                        String where = "images[" + nImgs + "]";
                        Long id = null;
                        CocoJson.expect(r, JsonToken.BEGIN_OBJECT, f, where);
                        r.beginObject();
                        while (r.hasNext()) {
                            if (r.nextName().equals("id")) {
                                id = CocoJson.integer(r, f, where + ".id");
                            } else {
                                r.skipValue();
                            }
                        }
                        r.endObject();
                        if (id == null) {
                            throw new CocoFormatException(f, where, "missing field 'id'");
                        }
                        if (nImgs == imgs.length) {
                            imgs = Arrays.copyOf(imgs, 2 * nImgs);
                        }
                        imgs[nImgs++] = id;
                    }
                    r.endArray();
                }
                case "categories" -> {
                    catIds = new long[16];
                    catNames = new String[16];
                    CocoJson.expect(r, JsonToken.BEGIN_ARRAY, f, "categories");
                    r.beginArray();
                    while (r.hasNext()) {
                        String where = "categories[" + nCats + "]";
                        Long id = null;
                        String name = null;
                        CocoJson.expect(r, JsonToken.BEGIN_OBJECT, f, where);
                        r.beginObject();
                        while (r.hasNext()) {
                            String k = r.nextName();
                            if (k.equals("id")) {
                                id = CocoJson.integer(r, f, where + ".id");
                            } else if (k.equals("name")) {
                                CocoJson.expect(r, JsonToken.STRING, f, where + ".name");
                                name = r.nextString();
                            } else {
                                r.skipValue();
                            }
                        }
                        r.endObject();
                        if (id == null) {
                            throw new CocoFormatException(f, where, "missing field 'id'");
                        }
                        if (name == null) {
                            throw new CocoFormatException(f, where, "missing field 'name'");
                        }
                        if (nCats == catIds.length) {
                            catIds = Arrays.copyOf(catIds, 2 * nCats);
                            catNames = Arrays.copyOf(catNames, 2 * nCats);
                        }
                        catIds[nCats] = id;
                        catNames[nCats++] = name;
                    }
                    r.endArray();
                }
                case "annotations" -> readAnnotations(r, f, raw);
                default -> r.skipValue();
            }
        }
        r.endObject();
        if (imgs == null) {
            throw new CocoFormatException(f, "top level", "missing field 'images'");
        }
        if (catIds == null) {
            throw new CocoFormatException(f, "top level", "missing field 'categories'");
        }
        return new CocoGroundTruth(f, imgs, nImgs, catIds, catNames, nCats, raw);
    }

    private static void readAnnotations(JsonReader r, Path f, Raw raw) throws IOException {
        CocoJson.expect(r, JsonToken.BEGIN_ARRAY, f, "annotations");
        r.beginArray();
        while (r.hasNext()) {
            int i = raw.add();
            String where = "annotations[" + i + "]";
            CocoJson.expect(r, JsonToken.BEGIN_OBJECT, f, where);
            r.beginObject();
            int seen = 0;
            while (r.hasNext()) {
                switch (r.nextName()) {
                    case "id" -> {
                        raw.id[i] = CocoJson.integer(r, f, where + ".id");
                        seen |= 1;
                    }
                    case "image_id" -> {
                        raw.imageId[i] = CocoJson.integer(r, f, where + ".image_id");
                        seen |= 2;
                    }
                    case "category_id" -> {
                        raw.categoryId[i] = CocoJson.integer(r, f, where + ".category_id");
                        seen |= 4;
                    }
                    case "bbox" -> {
                        CocoJson.bbox(r, f, where + ".bbox", raw.box, 4 * i);
                        seen |= 8;
                    }
                    case "area" -> {
                        raw.area[i] = CocoJson.number(r, f, where + ".area");
                        seen |= 16;
                    }
                    case "iscrowd" -> raw.crowd[i] = CocoJson.flag(r, f, where + ".iscrowd");
                    default -> r.skipValue();
                }
            }
            r.endObject();
            String[] fields = {"id", "image_id", "category_id", "bbox", "area"};
            for (int b = 0; b < fields.length; b++) {
                if ((seen & (1 << b)) == 0) {
                    throw new CocoFormatException(f, where, "missing field '" + fields[b] + "'");
                }
            }
        }
        r.endArray();
    }

    private static long[] sortedUnique(long[] a) {
        Arrays.sort(a);
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            if (i == 0 || a[i] != a[i - 1]) {
                a[n++] = a[i];
            }
        }
        return Arrays.copyOf(a, n);
    }

    /**
     * The evaluated image ids, sorted ascending without duplicates.
     *
     * @return a copy of the ids
     */
    public long[] imageIds() {
        return imageIds.clone();
    }

    /**
     * The evaluated categories, sorted by id (for a repeated id the last entry's name wins).
     *
     * @return the categories
     */
    public List<Category> categories() {
        List<Category> out = new ArrayList<>(categoryIds.length);
        for (int i = 0; i < categoryIds.length; i++) {
            out.add(new Category(categoryIds[i], categoryNames[i]));
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * The number of annotations kept (on a listed image and a listed category).
     *
     * @return the annotation count
     */
    public int size() {
        return size;
    }

    /** Index of an image id among {@link #imageIds}, or a negative number. */
    int imageIndex(long imageId) {
        return Arrays.binarySearch(imageIds, imageId);
    }

    /** Index of a category id among {@link #categoryIds}, or a negative number. */
    int categoryIndex(long categoryId) {
        return Arrays.binarySearch(categoryIds, categoryId);
    }

    /** Growable parallel arrays for annotations as read, before filtering. */
    static final class Raw {
        int n;
        long[] id = new long[64];
        long[] imageId = new long[64];
        long[] categoryId = new long[64];
        double[] box = new double[256];
        double[] area = new double[64];
        boolean[] crowd = new boolean[64];

        int add() {
            if (n == id.length) {
                int c = 2 * n;
                id = Arrays.copyOf(id, c);
                imageId = Arrays.copyOf(imageId, c);
                categoryId = Arrays.copyOf(categoryId, c);
                box = Arrays.copyOf(box, 4 * c);
                area = Arrays.copyOf(area, c);
                crowd = Arrays.copyOf(crowd, c);
            }
            return n++;
        }
    }
}
