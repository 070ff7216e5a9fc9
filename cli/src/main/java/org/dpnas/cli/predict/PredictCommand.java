package org.dpnas.cli.predict;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.modality.cv.output.CategoryMask;
import ai.djl.modality.cv.output.DetectedObjects;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.DeferredTranslatorFactory;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.dpnas.cli.Args;
import org.dpnas.cli.CliException;
import org.dpnas.cli.Command;
import org.dpnas.cli.Opts;
import org.dpnas.cli.weights.ExportCommand;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.common.train.Devices;
import org.dpnas.datasets.djl.ModelDir;

/**
 * {@code dpnas predict}: segments one image with a trained network and writes the mask as a palette
 * PNG, or, for a detector, draws the detected boxes on the image and lists them. The network is
 * loaded exactly as a DJL user loads it — {@code Criteria} with {@code optModelPath} on a model
 * directory of {@code weights export --format djl} ({@code --model}), or on one exported from
 * {@code --run} into a temporary directory — and the image is read with DJL's {@link ImageFactory}.
 */
public final class PredictCommand implements Command {

    @Override
    public String name() {
        return "predict";
    }

    @Override
    public String summary() {
        return "segment an image (palette PNG) or detect its objects (boxes drawn) with a trained"
                + " network";
    }

    @Override
    public Options options() {
        return Opts.of(
                Opts.value("run", "DIR", "a training run directory", null),
                Opts.value(
                        "model", "DIR", "a model directory of weights export --format djl", null),
                Opts.value(
                        "checkpoint", "DIR", "with --run: checkpoint to use", "the run's newest"),
                Opts.required("image", "FILE", "the image (PNG, JPEG, ...)"),
                Opts.value(
                        "out",
                        "FILE",
                        "the mask (or, for a detector, the image with its boxes) to write",
                        "IMAGE's name + .mask.png (.boxes.png)"),
                Opts.value("threads", "N", "libtorch threads (0 = libtorch's default)", "1"),
                Opts.value("device", "D", "cpu, gpu or gpu:N", "cpu"));
    }

    @Override
    public int run(CommandLine cl, PrintStream out, PrintStream err) throws Exception {
        Args.atMostPositionals(cl, 0);
        Path run = Args.path(cl, "run", null);
        Path model = Args.path(cl, "model", null);
        if ((run == null) == (model == null)) {
            throw new CliException("give exactly one of --run DIR and --model DIR");
        }
        Path image = Path.of(Args.requiredString(cl, "image"));
        if (!Files.isRegularFile(image)) {
            throw new CliException("--image " + image + ": no such file");
        }
        String stem = image.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        Path target = Args.path(cl, "out", Path.of(stem + ".mask.png"));
        Device device =
                Devices.setUp(Args.intValue(cl, "threads", 1), Args.string(cl, "device", "cpu"));
        Path tmp = null;
        try {
            if (run != null) {
                tmp = Files.createTempDirectory("dpnas-predict");
                model = tmp.resolve("model");
                ExportCommand.writeDjl(
                        new RunDirectory(run), Args.path(cl, "checkpoint", null), model);
            }
            Image img;
            try {
                img = ImageFactory.getInstance().fromFile(image);
            } catch (IOException e) {
                throw new CliException("--image " + image + ": not a readable image (" + e + ")");
            }
            if (ModelDir.DETECTION.equals(taskOf(model))) {
                Path boxesOut = Args.path(cl, "out", Path.of(stem + ".boxes.png"));
                long t0 = System.nanoTime();
                DetectedObjects d = detect(model, img, device);
                double ms = (System.nanoTime() - t0) / 1e6;
                Image drawn = img.duplicate();
                drawn.drawBoundingBoxes(d);
                Path parent = boxesOut.toAbsolutePath().getParent();
                Files.createDirectories(parent);
                Path tmpPng = Files.createTempFile(parent, ".boxes", ".png.tmp");
                try (var os = Files.newOutputStream(tmpPng)) {
                    drawn.save(os, "png");
                }
                Files.move(tmpPng, boxesOut, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                out.printf(
                        Locale.ROOT,
                        "wrote %s: %d boxes on the %dx%d image in %.0f ms%n",
                        boxesOut,
                        d.getNumberOfObjects(),
                        img.getWidth(),
                        img.getHeight(),
                        ms);
                for (var item : d.<DetectedObjects.DetectedObject>items()) {
                    var b = item.getBoundingBox().getBounds();
                    out.printf(
                            Locale.ROOT,
                            "  %-12s %.3f  x %.1f y %.1f w %.1f h %.1f%n",
                            item.getClassName(),
                            item.getProbability(),
                            b.getX() * img.getWidth(),
                            b.getY() * img.getHeight(),
                            b.getWidth() * img.getWidth(),
                            b.getHeight() * img.getHeight());
                }
                return 0;
            }
            long t0 = System.nanoTime();
            CategoryMask mask = predict(model, img, device);
            double ms = (System.nanoTime() - t0) / 1e6;
            MaskPng.write(mask.getMask(), target);
            out.printf(
                    Locale.ROOT,
                    "wrote %s: %dx%d mask, %d classes (%s) in %.0f ms%n",
                    target,
                    img.getWidth(),
                    img.getHeight(),
                    mask.getClasses().size(),
                    String.join(", ", mask.getClasses()),
                    ms);
            return 0;
        } finally {
            if (tmp != null) {
                deleteTree(tmp);
            }
        }
    }

    /** The task of a model directory ({@link ModelDir#task()}), as a user error when unreadable. */
    private static String taskOf(Path modelDir) {
        try {
            return ModelDir.read(modelDir).task();
        } catch (IOException e) {
            throw new CliException("--model " + modelDir + ": " + e.getMessage());
        }
    }

    /**
     * Loads a detector's model directory with DJL's {@code Criteria} and detects the objects in one
     * image (boxes normalised to the image).
     *
     * @throws CliException naming the directory when DJL cannot load it
     */
    public static DetectedObjects detect(Path modelDir, Image image, Device device)
            throws IOException, TranslateException {
        return predict(modelDir, image, device, DetectedObjects.class);
    }

    /**
     * Loads a model directory with DJL's {@code Criteria} and segments one image.
     *
     * @throws CliException naming the directory when DJL cannot load it
     */
    public static CategoryMask predict(Path modelDir, Image image, Device device)
            throws IOException, TranslateException {
        return predict(modelDir, image, device, CategoryMask.class);
    }

    /** Loads a model directory with DJL's {@code Criteria} for {@code output} and predicts once. */
    private static <O> O predict(Path modelDir, Image image, Device device, Class<O> output)
            throws IOException, TranslateException {
        Criteria<Image, O> criteria =
                Criteria.builder()
                        .setTypes(Image.class, output)
                        .optModelPath(modelDir)
                        // DJL's own factory that defers to serving.properties' translatorFactory
                        .optTranslatorFactory(new DeferredTranslatorFactory())
                        .optDevice(device)
                        .build();
        try (ZooModel<Image, O> m = criteria.loadModel();
                Predictor<Image, O> p = m.newPredictor()) {
            return p.predict(image);
        } catch (ModelNotFoundException | MalformedModelException e) {
            StringBuilder why = new StringBuilder(e.getMessage());
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                why.append(": ").append(c.getMessage());
            }
            throw new CliException("--model " + modelDir + ": " + why);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            List<Path> all = s.sorted(Comparator.reverseOrder()).toList();
            for (Path q : all) {
                Files.deleteIfExists(q);
            }
        }
    }
}
