package org.dpnas.cli.predict;

import static org.dpnas.cli.Cli.dpnas;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.modality.cv.output.CategoryMask;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.dpnas.cli.Cli.Outcome;
import org.dpnas.cli.train.TrainConfigs;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.data.SegSample;
import org.dpnas.common.testing.RealData;
import org.dpnas.datasets.SegDatasets;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The round trip: train (tiny) → {@code weights export --format djl} → load with DJL's
 * {@code Criteria} → predict equals {@code eval model}'s prediction on the same image, pixel for
 * pixel; on the synthetic data always, on CamVid when {@code ../shared/data/camvid} is present.
 */
class DjlRoundTripTest {

    private static final Path CAMVID = RealData.dir().resolve("camvid");

    /** The labels of a palette PNG, read as raster samples. */
    static int[][] readMask(Path png) throws Exception {
        BufferedImage img = ImageIO.read(png.toFile());
        Raster r = img.getRaster();
        int[][] out = new int[img.getHeight()][img.getWidth()];
        for (int y = 0; y < out.length; y++) {
            for (int x = 0; x < out[0].length; x++) {
                out[y][x] = r.getSample(x, y, 0);
            }
        }
        return out;
    }

    private static void writeRgbPng(SegSample s, Path out) throws Exception {
        BufferedImage img = new BufferedImage(s.width(), s.height(), BufferedImage.TYPE_INT_RGB);
        byte[] rgb = s.rgb();
        for (int y = 0; y < s.height(); y++) {
            for (int x = 0; x < s.width(); x++) {
                int p = 3 * (y * s.width() + x);
                img.setRGB(
                        x,
                        y,
                        (rgb[p] & 0xff) << 16 | (rgb[p + 1] & 0xff) << 8 | (rgb[p + 2] & 0xff));
            }
        }
        ImageIO.write(img, "png", out.toFile());
    }

    private static Outcome ok(String... args) {
        Outcome o = dpnas(args);
        assertEquals(0, o.code(), () -> String.join(" ", args) + "\n" + o.out() + o.err());
        return o;
    }

    private static String[] cat(String[] a, String... b) {
        List<String> l = new ArrayList<>(List.of(a));
        l.addAll(List.of(b));
        return l.toArray(new String[0]);
    }

    @Test
    void syntheticRoundTripEqualsEvalModelPixelForPixel(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        ok(
                "train",
                "--work-dir",
                run.toString(),
                "--set",
                "data.synthetic.height=40",
                "--set",
                "data.synthetic.width=48",
                "--set",
                "data.synthetic.train_size=8",
                "--set",
                "data.synthetic.val_size=3",
                "--batch-size",
                "4",
                "--threads",
                "1",
                "--device",
                "cpu",
                "--max-steps",
                "6",
                "--lr",
                "0.05");
        Path evalPred = dir.resolve("eval-pred");
        ok("eval", "model", "--run", run.toString(), "--save-pred", evalPred.toString());
        Path model = dir.resolve("model");
        Outcome e =
                ok(
                        "weights",
                        "export",
                        "--run",
                        run.toString(),
                        "--format",
                        "djl",
                        "--out",
                        model.toString());
        assertTrue(e.out().contains("DJL model directory"), e.out());
        assertTrue(Files.isRegularFile(model.resolve("serving.properties")));

        Config config =
                ConfigLoader.load(
                        TrainConfigs.defaults(), run.resolve("config.resolved.json"), List.of());
        SegDataset val = SegDatasets.open(config.sub("data"), "val", config.getLong("seed"));
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < val.size(); i++) {
            SegSample s = val.get(i);
            Path png = dir.resolve(s.id() + ".png");
            writeRgbPng(s, png);
            Image img = ImageFactory.getInstance().fromFile(png);
            CategoryMask mask = PredictCommand.predict(model, img, Device.cpu());
            assertEquals(val.classNames(), mask.getClasses());
            int[][] expected = readMask(evalPred.resolve(s.id() + ".png"));
            assertEquals(s.height(), mask.getMask().length);
            for (int y = 0; y < expected.length; y++) {
                assertArrayEquals(expected[y], mask.getMask()[y], s.id() + " row " + y);
                for (int v : expected[y]) {
                    seen.add(v);
                }
            }
        }
        // a constant mask would not show that the preprocessing matches
        assertTrue(seen.size() >= 2, "predictions use one class only: " + seen);

        // the command: --model and --run give the same palette PNG as eval model
        String id = val.get(0).id();
        Path image = dir.resolve(id + ".png");
        Path viaModel = dir.resolve("m.png");
        Path viaRun = dir.resolve("r.png");
        ok(
                "predict",
                "--model",
                model.toString(),
                "--image",
                image.toString(),
                "--out",
                viaModel.toString());
        ok(
                "predict",
                "--run",
                run.toString(),
                "--image",
                image.toString(),
                "--out",
                viaRun.toString());
        int[][] expected = readMask(evalPred.resolve(id + ".png"));
        assertArrayEquals(expected, readMask(viaModel));
        assertArrayEquals(expected, readMask(viaRun));
    }

    @Test
    void badExportAndPredictOptionsAreRefused(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        ok(
                "train",
                "--work-dir",
                run.toString(),
                "--set",
                "data.synthetic.height=16",
                "--set",
                "data.synthetic.width=16",
                "--set",
                "data.synthetic.train_size=2",
                "--set",
                "data.synthetic.val_size=1",
                "--batch-size",
                "2",
                "--threads",
                "1",
                "--device",
                "cpu",
                "--max-steps",
                "1");
        Outcome f =
                dpnas(
                        "weights",
                        "export",
                        "--run",
                        run.toString(),
                        "--format",
                        "onnx",
                        "--out",
                        dir.resolve("x").toString());
        assertTrue(f.err().contains("--format must be safetensors or djl"), f.err());
        Path full = dir.resolve("full");
        Files.createDirectories(full);
        Files.writeString(full.resolve("keep.txt"), "mine");
        Outcome n =
                dpnas(
                        "weights",
                        "export",
                        "--run",
                        run.toString(),
                        "--format",
                        "djl",
                        "--out",
                        full.toString());
        assertTrue(n.err().contains("exists and is not empty"), n.err());
        assertEquals("mine", Files.readString(full.resolve("keep.txt")));
        try (var s = Files.list(dir)) {
            assertFalse(
                    s.anyMatch(p -> p.getFileName().toString().contains(".tmp")),
                    "a refused export left a temporary directory");
        }
        Outcome both =
                dpnas(
                        "predict",
                        "--run",
                        run.toString(),
                        "--model",
                        full.toString(),
                        "--image",
                        "x.png");
        assertTrue(both.err().contains("exactly one of --run DIR and --model DIR"), both.err());
        Outcome missing = dpnas("predict", "--run", run.toString(), "--image", "nope.png");
        assertTrue(missing.err().contains("--image nope.png: no such file"), missing.err());
    }

    @Test
    @Tag(RealData.TAG)
    void camvidPredictionsEqualEvalModel(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(
                Files.isRegularFile(CAMVID.resolve("val.txt")),
                "CamVid not found at " + CAMVID.toAbsolutePath() + ": skipping the CamVid check");
        // a small CamVid root: the real files, 4 training and 3 validation images
        Path small = dir.resolve("camvid");
        Files.createDirectories(small);
        Path real = CAMVID.toAbsolutePath().normalize();
        for (String sub : List.of("train", "trainannot", "val", "valannot")) {
            Files.createSymbolicLink(small.resolve(sub), real.resolve(sub));
        }
        List<String> train = Files.readAllLines(real.resolve("train.txt"));
        List<String> valAll = Files.readAllLines(real.resolve("val.txt"));
        List<String> lines = List.of(valAll.get(0), valAll.get(30), valAll.get(60));
        Files.write(small.resolve("train.txt"), train.subList(0, 4));
        Files.write(small.resolve("val.txt"), lines);
        Path run = dir.resolve("run");
        ok(
                "train",
                "--work-dir",
                run.toString(),
                "--dataset",
                "camvid",
                "--root",
                small.toString(),
                "--batch-size",
                "1",
                "--threads",
                "1",
                "--device",
                "cpu",
                "--max-steps",
                "2");
        Path evalPred = dir.resolve("eval-pred");
        ok("eval", "model", "--run", run.toString(), "--save-pred", evalPred.toString());
        Path model = dir.resolve("model");
        ok(
                "weights",
                "export",
                "--run",
                run.toString(),
                "--format",
                "djl",
                "--out",
                model.toString());
        for (int k = 0; k < 3; k++) {
            String imageRel = lines.get(k).trim().split("\\s+")[0];
            Path image = CAMVID.resolve(imageRel.replaceFirst("^.*/CamVid/", ""));
            String stem = image.getFileName().toString().replaceFirst("\\.png$", "");
            Path out = dir.resolve(stem + ".mask.png");
            ok(
                    "predict",
                    "--model",
                    model.toString(),
                    "--image",
                    image.toString(),
                    "--out",
                    out.toString());
            assertArrayEquals(readMask(evalPred.resolve(stem + ".png")), readMask(out), stem);
        }
    }
}
