package org.dpnas.cli.pretrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.dpnas.cli.Cli;
import org.dpnas.cli.Cli.Outcome;
import org.dpnas.common.io.WeightFiles;
import org.dpnas.common.nn.backbone.Backbone;
import org.dpnas.common.nn.backbone.Backbones;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dpnas pretrain} on a generated two-class folder: the loss falls, the written backbone
 * loads strictly into a fresh backbone and reproduces the trained one's features, DeepLabv3+
 * training takes it as {@code --backbone-weights}, and bad folders are named.
 */
class PretrainTest {

    /**
     * A folder {@code red/} and {@code blue/} of 32×32 noise images whose dominant channel is the
     * class, {@code perClass} each.
     */
    static Path folder(Path root, int perClass) throws Exception {
        Random rnd = new Random(7);
        String[] classes = {"blue", "red"};
        for (int c = 0; c < classes.length; c++) {
            Path dir = Files.createDirectories(root.resolve(classes[c]));
            for (int i = 0; i < perClass; i++) {
                BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        int strong = 150 + rnd.nextInt(100);
                        int weak = rnd.nextInt(100);
                        int g = rnd.nextInt(100);
                        int rgb =
                                c == 1
                                        ? (strong << 16 | g << 8 | weak)
                                        : (weak << 16 | g << 8 | strong);
                        img.setRGB(x, y, rgb);
                    }
                }
                ImageIO.write(img, "png", dir.resolve("img" + i + ".png").toFile());
            }
        }
        return root;
    }

    private static Pretraining.Params params(Path images, Path out, int epochs) {
        return new Pretraining.Params(
                images, "resnet10", 1f, out, 32, epochs, 0, 4, 0.05f, 0.9f, 1e-4f, true, 3L, 1);
    }

    @Test
    void lossFallsAndTheWrittenBackboneReproducesTheTrainedFeatures(@TempDir Path dir)
            throws Exception {
        Path images = folder(dir.resolve("images"), 6);
        Path out = dir.resolve("w.safetensors");
        Pretraining.Result r =
                Pretraining.run(
                        params(images, out, 5),
                        new PrintStream(
                                java.io.OutputStream.nullOutputStream(),
                                true,
                                StandardCharsets.UTF_8));
        assertEquals(List.of("blue", "red"), r.classes());
        assertEquals(12, r.images());
        assertEquals(15, r.steps()); // 3 batches of 4 per epoch
        double first = r.epochLoss().get(0);
        double last = r.epochLoss().get(r.epochLoss().size() - 1);
        // ln 2 = 0.69 is the loss of a classifier that has learnt nothing about two classes
        assertTrue(last < 0.5 * first && last < 0.35, r.epochLoss().toString());
        // DJL's loop kept the model's manager at a fixed size: no array piles up per step
        assertEquals(r.arraysAfterFirstEpoch(), r.arraysAtEnd());

        Backbone fresh = Backbones.create("resnet10", 32, 1f);
        try (NDManager m = NDManager.newBaseManager()) {
            fresh.initialize(m, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            WeightFiles.LoadReport report =
                    WeightFiles.load(fresh, out, true, fresh.ignoredPrefixes());
            assertTrue(report.complete(), report.problems());
            NDArray x = m.create(r.probeInput(), new Shape(1, 3, 32, 32));
            NDList taps = fresh.forward(new ParameterStore(m, false), new NDList(x), false);
            NDArray deepest = taps.get(taps.size() - 1);
            assertArrayEquals(r.probeShape(), deepest.getShape().getShape());
            // the same float32 weights and statistics through the same kernels: identical values
            assertArrayEquals(r.probeFeatures(), deepest.toFloatArray());
        }
    }

    @Test
    void theCommandWritesWeightsThatDeepLabTrainingLoads(@TempDir Path dir) throws Exception {
        Path images = folder(dir.resolve("images"), 4);
        Path out = dir.resolve("r10.safetensors");
        Outcome o =
                Cli.dpnas(
                        "pretrain",
                        "--backbone",
                        "resnet10",
                        "--images",
                        images.toString(),
                        "--out",
                        out.toString(),
                        "--size",
                        "32",
                        "--epochs",
                        "1",
                        "--batch-size",
                        "4");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("wrote " + out), o.out());
        assertTrue(o.err().contains("8 images in 2 classes (blue, red)"), o.err());
        Outcome train =
                Cli.dpnas(
                        "train",
                        "--work-dir",
                        dir.resolve("run").toString(),
                        "--set",
                        "data.synthetic.height=32",
                        "--set",
                        "data.synthetic.width=32",
                        "--set",
                        "data.synthetic.train_size=4",
                        "--set",
                        "data.synthetic.val_size=2",
                        "--batch-size",
                        "2",
                        "--threads",
                        "1",
                        "--device",
                        "cpu",
                        "--model",
                        "deeplabv3plus",
                        "--backbone",
                        "resnet10",
                        "--max-steps",
                        "1",
                        "--backbone-weights",
                        out.toString());
        assertEquals(0, train.code(), train.err());
        // strict load (the default): every backbone tensor, nothing missing or left over
        assertTrue(train.err().contains("loaded 60 tensors from " + out), train.err());
    }

    @Test
    void badFoldersAreNamed(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("w.safetensors");
        Path missing = dir.resolve("nowhere");
        Outcome none = pretrain(missing, out);
        assertEquals(1, none.code());
        assertTrue(none.err().contains(missing + ": image folder not found"), none.err());

        Path flat = Files.createDirectories(dir.resolve("flat"));
        Files.copy(folder(dir.resolve("src"), 1).resolve("red/img0.png"), flat.resolve("a.png"));
        Outcome noClasses = pretrain(flat, out);
        assertEquals(1, noClasses.code());
        assertTrue(noClasses.err().contains(flat + ": found 0 class folder(s)"), noClasses.err());

        Path images = folder(dir.resolve("images"), 2);
        Path empty = Files.createDirectories(images.resolve("green"));
        Outcome emptyClass = pretrain(images, out);
        assertEquals(1, emptyClass.code());
        assertTrue(
                emptyClass.err().contains(empty + ": class folder holds no image"),
                emptyClass.err());

        Files.delete(empty);
        Path bad = images.resolve("red/broken.jpg");
        Files.writeString(bad, "not an image");
        Outcome unreadable = pretrain(images, out);
        assertEquals(1, unreadable.code());
        assertTrue(unreadable.err().contains(bad + ": not a readable image"), unreadable.err());
        assertFalse(Files.exists(out), "nothing written for a refused folder");

        Outcome arch =
                Cli.dpnas(
                        "pretrain",
                        "--backbone",
                        "vgg16",
                        "--images",
                        images.toString(),
                        "--out",
                        out.toString());
        assertEquals(2, arch.code());
        assertTrue(arch.err().contains("'--backbone' must be one of"), arch.err());
    }

    private static Outcome pretrain(Path images, Path out) {
        return Cli.dpnas(
                "pretrain",
                "--backbone",
                "resnet10",
                "--images",
                images.toString(),
                "--out",
                out.toString(),
                "--size",
                "32",
                "--epochs",
                "1");
    }
}
