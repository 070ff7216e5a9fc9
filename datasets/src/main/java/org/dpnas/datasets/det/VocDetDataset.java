package org.dpnas.datasets.det;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Consumer;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.dpnas.common.data.Box;
import org.dpnas.datasets.seg.DatasetException;
import org.dpnas.datasets.seg.ImageDecoder;
import org.dpnas.datasets.seg.VocSegDataset;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Object detection in the PASCAL VOC layout: {@code Annotations/ID.xml}, {@code JPEGImages/ID.jpg}
 * and {@code ImageSets/Main/SPLIT.txt} (also used by VOC-style sets such as BCCD).
 *
 * <p><b>Coordinates.</b> VOC pixel coordinates are 1-based and inclusive: a box with {@code xmin=1,
 * xmax=10} covers the first ten columns. They are converted to 0-based, right/bottom exclusive
 * boxes {@code [xmin-1, ymin-1, xmax, ymax)}, then clipped to the image size declared in the
 * annotation (when it is given).
 *
 * <p><b>Degenerate boxes.</b> A box with {@code xmax <= xmin} or {@code ymax <= ymin} encloses no
 * area as drawn (typically a click without a drag in the labelling tool), even though the inclusive
 * convention would read {@code xmax == xmin} as one pixel wide; such boxes are dropped and counted
 * in {@link #droppedDegenerate()}. A box entirely outside the declared image is dropped and counted
 * in {@link #droppedOutside()}; a box partly outside is clipped and counted in {@link #clipped()}.
 * One warning line per kind names the annotation files; none of these makes loading fail.
 *
 * <p><b>Classes.</b> The class list is the one given, else {@code classes.txt} in the root (one
 * name per line), else the sorted object names of this split's annotations. An object whose name is
 * not in a given (or {@code classes.txt}) list is an error naming its file, never a new class.
 *
 * <p><b>Problems.</b> By default the first problem (missing file, malformed XML, unknown class)
 * stops loading with a {@link DatasetException} naming the file. With a problem sink (as {@code
 * dpnas data check} uses), each problem goes to the sink, the image or object concerned is left
 * out, and loading continues, so one bad file does not hide the others. Only this split's files are
 * read.
 *
 * <p><b>Difficult objects</b> ({@code <difficult>1</difficult>}) become ignore regions unless
 * {@code keepDifficult} is set, in which case they are ordinary boxes.
 *
 * <p>Annotations are parsed at construction; images are decoded lazily in {@link #get(int)}. The
 * dataset is immutable and thread-safe.
 */
public final class VocDetDataset implements DetDataset {

    /** The 20 PASCAL VOC object classes in their customary order. */
    public static final List<String> VOC_CLASSES =
            VocSegDataset.CLASS_NAMES.subList(1, VocSegDataset.CLASS_NAMES.size());

    /** One object as written in an annotation file. */
    private record RawObject(
            String name, float xmin, float ymin, float xmax, float ymax, boolean difficult) {}

    /** One parsed annotation file. */
    private record RawAnnotation(Path file, int width, int height, List<RawObject> objects) {}

    /** One image of the split with its converted boxes. */
    private record Entry(
            String id,
            Path image,
            Path annotation,
            int width,
            int height,
            List<Box> boxes,
            List<Box> ignore) {}

    private final Path root;
    private final String split;
    private final List<String> classNames;
    private final List<Entry> entries;
    private final int listed;
    private final int droppedDegenerate;
    private final List<String> degenerateFiles;
    private final int droppedOutside;
    private final List<String> outsideFiles;
    private final int clipped;
    private final List<String> clippedFiles;

    /**
     * Reads a split with class names taken from the annotations, difficult objects as ignore
     * regions, and warnings sent to the logger.
     *
     * @see #VocDetDataset(Path, String, List, boolean, PrintStream)
     */
    public VocDetDataset(Path root, String split) {
        this(root, split, null, false, null);
    }

    /**
     * Reads a split, sending warnings to the logger.
     *
     * @see #VocDetDataset(Path, String, List, boolean, PrintStream)
     */
    public VocDetDataset(Path root, String split, List<String> classNames, boolean keepDifficult) {
        this(root, split, classNames, keepDifficult, null);
    }

    /**
     * Reads a split and parses its annotations.
     *
     * @param root the folder holding {@code Annotations/}, {@code JPEGImages/} and {@code
     *     ImageSets/Main/}
     * @param split list file name without {@code .txt}, e.g. {@code train}, {@code val}, {@code
     *     trainval}
     * @param classNames class names indexed by class id, or {@code null} to use every object name
     *     found in {@code Annotations/*.xml} (all files, so that all splits agree), sorted
     * @param keepDifficult whether difficult objects are boxes (true) or ignore regions (false)
     * @param warnings where the one-line warning about dropped boxes goes, or {@code null} for the
     *     {@link System.Logger} of this class
     * @throws DatasetException naming the file if the list, an annotation or an image is missing,
     *     an annotation is malformed, or it names a class not in {@code classNames}
     */
    public VocDetDataset(
            Path root,
            String split,
            List<String> classNames,
            boolean keepDifficult,
            PrintStream warnings) {
        this(root, split, classNames, keepDifficult, warnings, null);
    }

    /**
     * Reads a split, sending each problem to {@code problems} instead of stopping at the first.
     *
     * @param problems receives every problem (the entry or object concerned is left out), or {@code
     *     null} to throw the first one
     * @see #VocDetDataset(Path, String, List, boolean, PrintStream)
     */
    public VocDetDataset(
            Path root,
            String split,
            List<String> classNames,
            boolean keepDifficult,
            PrintStream warnings,
            Consumer<DatasetException> problems) {
        this.root = Objects.requireNonNull(root, "root");
        this.split = Objects.requireNonNull(split, "split");
        Consumer<DatasetException> sink =
                problems != null
                        ? problems
                        : e -> {
                            throw e;
                        };
        if (!Files.isDirectory(root)) {
            throw new DatasetException(root, "VOC detection root directory not found");
        }
        Path annDir = root.resolve("Annotations");
        Path jpegDir = root.resolve("JPEGImages");
        for (Path dir : List.of(annDir, jpegDir)) {
            if (!Files.isDirectory(dir)) {
                throw new DatasetException(dir, "folder not found");
            }
        }
        Path listFile = root.resolve("ImageSets").resolve("Main").resolve(split + ".txt");
        List<String> ids = readIds(listFile);
        this.listed = ids.size();
        DocumentBuilder xml = newDocumentBuilder();

        // this split's annotations only; a missing or malformed one is a problem of its own
        Map<String, RawAnnotation> parsed = new HashMap<>();
        for (String id : ids) {
            Path annFile = annDir.resolve(id + ".xml");
            Path image = jpegDir.resolve(id + ".jpg");
            try {
                if (!Files.isRegularFile(annFile)) {
                    throw new DatasetException(
                            annFile, "annotation file not found (listed in " + listFile + ")");
                }
                if (!Files.isRegularFile(image)) {
                    throw new DatasetException(
                            image, "image file not found for annotation " + annFile);
                }
                parsed.put(id, parse(xml, annFile));
            } catch (DatasetException e) {
                sink.accept(e);
            }
        }
        if (classNames == null && Files.isRegularFile(root.resolve(CLASSES_FILE))) {
            classNames = readClasses(root.resolve(CLASSES_FILE));
        }
        if (classNames == null) {
            TreeSet<String> names = new TreeSet<>();
            parsed.values().forEach(a -> a.objects().forEach(o -> names.add(o.name())));
            classNames = List.copyOf(names);
        }
        this.classNames = List.copyOf(classNames);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < this.classNames.size(); i++) {
            index.put(this.classNames.get(i), i);
        }

        List<Entry> list = new ArrayList<>(ids.size());
        List<String> degenerate = new ArrayList<>();
        List<String> outside = new ArrayList<>();
        List<String> clippedIn = new ArrayList<>();
        int dropped = 0;
        int droppedOut = 0;
        int clippedBoxes = 0;
        for (String id : ids) {
            RawAnnotation a = parsed.get(id);
            if (a == null) {
                continue; // its problem was reported above
            }
            Path annFile = a.file();
            List<Box> boxes = new ArrayList<>();
            List<Box> ignore = new ArrayList<>();
            int degenerateHere = 0;
            int outsideHere = 0;
            int clippedHere = 0;
            for (RawObject o : a.objects()) {
                Integer cls = index.get(o.name());
                if (cls == null) {
                    sink.accept(
                            new DatasetException(
                                    annFile,
                                    "object class '"
                                            + o.name()
                                            + "' is not one of "
                                            + this.classNames));
                    continue;
                }
                if (o.xmax() <= o.xmin() || o.ymax() <= o.ymin()) {
                    degenerateHere++;
                    continue;
                }
                if (outside(o, a.width(), a.height())) {
                    outsideHere++;
                    sink(problems)
                            .accept(
                                    new DatasetException(
                                            annFile,
                                            String.format(
                                                    java.util.Locale.ROOT,
                                                    "box [%s, %s, %s, %s] of '%s' lies entirely"
                                                            + " outside the %dx%d image (dropped)",
                                                    fmt(o.xmin()),
                                                    fmt(o.ymin()),
                                                    fmt(o.xmax()),
                                                    fmt(o.ymax()),
                                                    o.name(),
                                                    a.width(),
                                                    a.height())));
                    continue;
                }
                if (partlyOutside(o, a.width(), a.height())) {
                    clippedHere++;
                }
                Box box = convert(o, cls, a.width(), a.height());
                if (box == null) {
                    degenerateHere++;
                } else if (o.difficult() && !keepDifficult) {
                    ignore.add(box);
                } else {
                    boxes.add(box);
                }
            }
            String name = annFile.getFileName().toString();
            if (degenerateHere > 0) {
                dropped += degenerateHere;
                degenerate.add(name);
            }
            if (outsideHere > 0) {
                droppedOut += outsideHere;
                outside.add(name);
            }
            if (clippedHere > 0) {
                clippedBoxes += clippedHere;
                clippedIn.add(name);
            }
            list.add(
                    new Entry(
                            id,
                            jpegDir.resolve(id + ".jpg"),
                            annFile,
                            a.width(),
                            a.height(),
                            boxes,
                            ignore));
        }
        this.entries = List.copyOf(list);
        this.droppedDegenerate = dropped;
        this.degenerateFiles = List.copyOf(degenerate);
        this.droppedOutside = droppedOut;
        this.outsideFiles = List.copyOf(outside);
        this.clipped = clippedBoxes;
        this.clippedFiles = List.copyOf(clippedIn);
        String where = "VOC detection " + root + " split '" + split + "': ";
        if (dropped > 0) {
            Warnings.emit(
                    warnings,
                    VocDetDataset.class,
                    where
                            + "dropped "
                            + dropped
                            + " degenerate box(es) (zero or negative width or height) in "
                            + Warnings.names(degenerate));
        }
        if (droppedOut > 0) {
            Warnings.emit(
                    warnings,
                    VocDetDataset.class,
                    where
                            + "dropped "
                            + droppedOut
                            + " box(es) entirely outside the image in "
                            + Warnings.names(outside));
        }
        if (clippedBoxes > 0) {
            Warnings.emit(
                    warnings,
                    VocDetDataset.class,
                    where
                            + "clipped "
                            + clippedBoxes
                            + " box(es) partly outside the image to it in "
                            + Warnings.names(clippedIn));
        }
    }

    /** The optional class list file in the root: one class name per line. */
    public static final String CLASSES_FILE = "classes.txt";

    private static List<String> readClasses(Path file) {
        List<String> names = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String t = line.strip();
                if (!t.isEmpty()) {
                    if (names.contains(t)) {
                        throw new DatasetException(file, "class '" + t + "' appears twice");
                    }
                    names.add(t);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new DatasetException(file, "cannot read the class list: " + e, e);
        }
        if (names.isEmpty()) {
            throw new DatasetException(file, "the class list is empty");
        }
        return names;
    }

    /** Reports to {@code problems}, or ignores (a warning line counts it) without a sink. */
    private static Consumer<DatasetException> sink(Consumer<DatasetException> problems) {
        return problems != null ? problems : e -> {};
    }

    private static String fmt(float v) {
        return v == Math.rint(v) ? Integer.toString((int) v) : Float.toString(v);
    }

    /** Whether the 0-based exclusive box of {@code o} misses the declared image entirely. */
    private static boolean outside(RawObject o, int width, int height) {
        float x1 = o.xmin() - 1f;
        float y1 = o.ymin() - 1f;
        return (width > 0 && (x1 >= width || o.xmax() <= 0))
                || (height > 0 && (y1 >= height || o.ymax() <= 0));
    }

    /** Whether the 0-based exclusive box of {@code o} crosses the declared image's border. */
    private static boolean partlyOutside(RawObject o, int width, int height) {
        return o.xmin() - 1f < 0
                || o.ymin() - 1f < 0
                || (width > 0 && o.xmax() > width)
                || (height > 0 && o.ymax() > height);
    }

    /**
     * Converts 1-based inclusive VOC corners to a 0-based exclusive box clipped to the declared
     * image size; returns null for a degenerate box.
     */
    private static Box convert(RawObject o, int cls, int width, int height) {
        float x1 = Math.max(0f, o.xmin() - 1f);
        float y1 = Math.max(0f, o.ymin() - 1f);
        float x2 = width > 0 ? Math.min(width, o.xmax()) : o.xmax();
        float y2 = height > 0 ? Math.min(height, o.ymax()) : o.ymax();
        if (x2 <= x1 || y2 <= y1) {
            return null;
        }
        return new Box(x1, y1, x2, y2, cls);
    }

    private static List<String> readIds(Path listFile) {
        if (!Files.isRegularFile(listFile)) {
            throw new DatasetException(listFile, "split list file not found");
        }
        List<String> ids = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(listFile, StandardCharsets.UTF_8)) {
                String t = line.strip();
                if (!t.isEmpty()) {
                    ids.add(t.split("\\s+")[0]);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new DatasetException(listFile, "cannot read split list file: " + e, e);
        }
        if (ids.isEmpty()) {
            throw new DatasetException(listFile, "split list file has no entries");
        }
        return ids;
    }

    private static DocumentBuilder newDocumentBuilder() {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setExpandEntityReferences(false);
            DocumentBuilder builder = f.newDocumentBuilder();
            // report through the exception (naming the file) instead of printing to stderr
            builder.setErrorHandler(
                    new ErrorHandler() {
                        @Override
                        public void warning(SAXParseException e) {}

                        @Override
                        public void error(SAXParseException e) throws SAXException {
                            throw e;
                        }

                        @Override
                        public void fatalError(SAXParseException e) throws SAXException {
                            throw e;
                        }
                    });
            return builder;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("no usable XML parser", e);
        }
    }

    private static RawAnnotation parse(DocumentBuilder xml, Path file) {
        Document doc;
        try {
            doc = xml.parse(file.toFile());
        } catch (SAXException | IOException e) {
            throw new DatasetException(file, "malformed annotation XML: " + e.getMessage(), e);
        }
        Element top = doc.getDocumentElement();
        if (!"annotation".equals(top.getTagName())) {
            throw new DatasetException(
                    file, "root element is <" + top.getTagName() + ">, expected <annotation>");
        }
        int width = 0;
        int height = 0;
        Element size = child(top, "size");
        if (size != null) {
            width = (int) number(file, size, "width", "size", true);
            height = (int) number(file, size, "height", "size", true);
        }
        List<RawObject> objects = new ArrayList<>();
        NodeList nodes = top.getChildNodes();
        int k = 0;
        for (int i = 0; i < nodes.getLength(); i++) {
            Node n = nodes.item(i);
            if (!(n instanceof Element obj) || !"object".equals(obj.getTagName())) {
                continue;
            }
            k++;
            String where = "object " + k;
            Element nameEl = child(obj, "name");
            if (nameEl == null || nameEl.getTextContent().isBlank()) {
                throw new DatasetException(file, where + " has no <name>");
            }
            Element bb = child(obj, "bndbox");
            if (bb == null) {
                throw new DatasetException(file, where + " has no <bndbox>");
            }
            Element diff = child(obj, "difficult");
            boolean difficult = diff != null && !"0".equals(diff.getTextContent().strip());
            objects.add(
                    new RawObject(
                            nameEl.getTextContent().strip(),
                            number(file, bb, "xmin", where, false),
                            number(file, bb, "ymin", where, false),
                            number(file, bb, "xmax", where, false),
                            number(file, bb, "ymax", where, false),
                            difficult));
        }
        return new RawAnnotation(file, width, height, objects);
    }

    private static Element child(Element parent, String tag) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && tag.equals(e.getTagName())) {
                return e;
            }
        }
        return null;
    }

    private static float number(Path file, Element parent, String tag, String where, boolean opt) {
        Element e = child(parent, tag);
        if (e == null) {
            if (opt) {
                return 0;
            }
            throw new DatasetException(file, where + " has no <" + tag + ">");
        }
        String text = e.getTextContent().strip();
        try {
            return Float.parseFloat(text);
        } catch (NumberFormatException ex) {
            throw new DatasetException(
                    file, where + ": <" + tag + "> is not a number: '" + text + "'");
        }
    }

    /** The folder this split was read from. */
    public Path root() {
        return root;
    }

    /** The split name given at construction. */
    public String split() {
        return split;
    }

    /** Number of degenerate boxes (zero or negative width or height) dropped from this split. */
    public int droppedDegenerate() {
        return droppedDegenerate;
    }

    /** File names of the annotations that had degenerate boxes dropped, in split order. */
    public List<String> degenerateFiles() {
        return degenerateFiles;
    }

    /** Number of images the split lists (those left out for a problem included). */
    public int listed() {
        return listed;
    }

    /** Number of boxes dropped because they lie entirely outside the declared image. */
    public int droppedOutside() {
        return droppedOutside;
    }

    /** File names of the annotations with boxes entirely outside the image, in split order. */
    public List<String> outsideFiles() {
        return outsideFiles;
    }

    /** Number of boxes partly outside the declared image, clipped to it. */
    public int clipped() {
        return clipped;
    }

    /** File names of the annotations with clipped boxes, in split order. */
    public List<String> clippedFiles() {
        return clippedFiles;
    }

    /** The annotation file of image {@code index}. */
    public Path annotationPath(int index) {
        return entries.get(index).annotation();
    }

    /** The image file of image {@code index}. */
    public Path imagePath(int index) {
        return entries.get(index).image();
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
     * Decodes image {@code index}; its boxes were parsed at construction.
     *
     * @throws DatasetException naming the file if the image is unreadable or its size differs from
     *     the size declared in the annotation
     */
    @Override
    public DetSample get(int index) {
        Entry e = entries.get(Objects.checkIndex(index, entries.size()));
        ImageDecoder.RgbImage img =
                ImageDecoder.readRgb(e.image(), e.width(), e.height(), e.annotation());
        return new DetSample(e.id(), img.height(), img.width(), img.rgb(), e.boxes(), e.ignore());
    }
}
