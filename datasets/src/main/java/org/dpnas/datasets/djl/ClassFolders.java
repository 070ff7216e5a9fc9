package org.dpnas.datasets.djl;

import ai.djl.basicdataset.cv.classification.ImageFolder;
import ai.djl.modality.cv.transform.Normalize;
import ai.djl.modality.cv.transform.RandomFlipLeftRight;
import ai.djl.modality.cv.transform.Resize;
import ai.djl.modality.cv.transform.ToTensor;
import ai.djl.translate.Pipeline;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.dpnas.datasets.seg.DatasetException;

/**
 * A classification folder as {@code basicdataset}'s {@link ImageFolder} reads it ({@code
 * ROOT/CLASS/IMAGE}, classes in name order, images directly inside their class folder with one of
 * ImageFolder's extensions), checked before training so that a bad folder is an error naming the
 * path rather than an empty dataset or an exception in the middle of an epoch.
 *
 * <p>{@link #check} refuses a root that is missing, has fewer than two class folders, or a class
 * folder without images, and probes every image's header with the decoder ImageIO chooses for it
 * (the header and size only, so the check costs far less than an epoch): a file no decoder
 * recognises, or whose size cannot be read, is named. {@link #open} then builds the {@code
 * ImageFolder} with DJL transforms: resize to a square, optional random horizontal flip, {@code
 * ToTensor} and normalisation with the suite's mean and standard deviation.
 */
public final class ClassFolders {

    /** The file name extensions {@link ImageFolder} lists (lower case, with the dot). */
    public static final Set<String> EXTENSIONS =
            Set.of(".jpg", ".jpeg", ".png", ".bmp", ".wbmp", ".gif");

    /**
     * What a checked folder holds.
     *
     * @param root the folder
     * @param classes class folder names in {@link ImageFolder}'s order (sorted)
     * @param counts images per class
     */
    public record Listing(Path root, List<String> classes, List<Integer> counts) {

        /** The number of images. */
        public int images() {
            return counts.stream().mapToInt(Integer::intValue).sum();
        }
    }

    private ClassFolders() {}

    /**
     * Checks a classification folder.
     *
     * @param root the folder holding one sub-folder per class
     * @return its classes and image counts
     * @throws DatasetException naming the root, the class folder or the image at fault
     */
    public static Listing check(Path root) {
        if (!Files.isDirectory(root)) {
            throw new DatasetException(root, "image folder not found (expected ROOT/CLASS/IMAGE)");
        }
        List<Path> classDirs = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            s.filter(Files::isDirectory)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .forEach(classDirs::add);
        } catch (IOException e) {
            throw new DatasetException(root, "cannot list the image folder: " + e, e);
        }
        if (classDirs.size() < 2) {
            throw new DatasetException(
                    root,
                    "found "
                            + classDirs.size()
                            + " class folder(s); a classification folder needs one sub-folder"
                            + " per class, at least two (ROOT/CLASS/IMAGE)");
        }
        List<String> classes = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (Path dir : classDirs) {
            List<Path> images = images(dir);
            if (images.isEmpty()) {
                throw new DatasetException(
                        dir,
                        "class folder holds no image (extensions "
                                + String.join(" ", EXTENSIONS.stream().sorted().toList())
                                + ")");
            }
            for (Path image : images) {
                probe(image);
            }
            classes.add(dir.getFileName().toString());
            counts.add(images.size());
        }
        return new Listing(root, List.copyOf(classes), List.copyOf(counts));
    }

    /**
     * Builds the DJL dataset of a checked folder.
     *
     * @param root the folder ({@link #check} it first)
     * @param size the square side images are resized to
     * @param flip whether to flip images left-right at random (training)
     * @param mean per-channel mean of images scaled to [0, 1]
     * @param std per-channel standard deviation
     * @param batchSize DJL's batch size
     * @param shuffle whether DJL's sampler shuffles (seeded by the engine's random seed)
     * @return the prepared {@link ImageFolder}
     * @throws DatasetException naming the root if DJL cannot prepare it
     */
    public static ImageFolder open(
            Path root,
            int size,
            boolean flip,
            float[] mean,
            float[] std,
            int batchSize,
            boolean shuffle) {
        Pipeline pipeline = new Pipeline().add(new Resize(size, size));
        if (flip) {
            pipeline.add(new RandomFlipLeftRight());
        }
        pipeline.add(new ToTensor()).add(new Normalize(mean, std));
        ImageFolder folder =
                ImageFolder.builder()
                        .setRepositoryPath(root)
                        .optPipeline(pipeline)
                        .setSampling(batchSize, shuffle)
                        .build();
        try {
            folder.prepare();
        } catch (IOException | TranslateException | RuntimeException e) {
            throw new DatasetException(root, "DJL's ImageFolder cannot read the folder: " + e, e);
        }
        return folder;
    }

    private static List<Path> images(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(ClassFolders::hasImageExtension)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new DatasetException(dir, "cannot list the class folder: " + e, e);
        }
    }

    private static boolean hasImageExtension(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot >= 0 && EXTENSIONS.contains(name.substring(dot).toLowerCase(Locale.ROOT));
    }

    /** Reads the header of an image: a decoder must recognise it and give its size. */
    private static void probe(Path image) {
        try (ImageInputStream in = ImageIO.createImageInputStream(image.toFile())) {
            if (in == null) {
                throw new DatasetException(image, "cannot open the image file");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new DatasetException(
                        image, "not a readable image (no decoder recognises it)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w <= 0 || h <= 0) {
                    throw new DatasetException(image, "image has no pixels (" + w + "x" + h + ")");
                }
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new DatasetException(image, "unreadable image: " + e.getMessage(), e);
        }
    }
}
