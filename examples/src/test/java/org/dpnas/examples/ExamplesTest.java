package org.dpnas.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.modality.cv.output.CategoryMask;
import ai.djl.modality.cv.output.DetectedObjects;
import ai.djl.training.TrainingResult;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.dpnas.cli.Main;
import org.dpnas.common.data.SegSample;
import org.dpnas.datasets.synthetic.SyntheticDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs both examples briefly. */
class ExamplesTest {

    private static void dpnas(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code =
                Main.run(
                        args,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(out, true, StandardCharsets.UTF_8));
        assertEquals(0, code, () -> String.join(" ", args) + "\n" + out);
    }

    @Test
    void anExportedSearchedNetworkLoadsWithCriteriaAndSegments(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        dpnas(
                "train",
                "--work-dir",
                run.toString(),
                "--genotype",
                "genotype-example.json",
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
                "--max-steps",
                "1");
        Path model = dir.resolve("model");
        dpnas(
                "weights",
                "export",
                "--run",
                run.toString(),
                "--format",
                "djl",
                "--out",
                model.toString());
        SegSample s = SyntheticDataset.of(3, "val", 1).get(0);
        BufferedImage img = new BufferedImage(s.width(), s.height(), BufferedImage.TYPE_INT_RGB);
        for (int p = 0; p < s.width() * s.height(); p++) {
            byte[] c = s.rgb();
            img.setRGB(
                    p % s.width(),
                    p / s.width(),
                    (c[3 * p] & 0xff) << 16 | (c[3 * p + 1] & 0xff) << 8 | (c[3 * p + 2] & 0xff));
        }
        Path png = dir.resolve("image.png");
        ImageIO.write(img, "png", png.toFile());

        CategoryMask mask = PredictWithCriteria.runExample(model, png);
        assertEquals(SyntheticDataset.CLASS_NAMES, mask.getClasses());
        assertEquals(s.height(), mask.getMask().length);
        assertEquals(s.width(), mask.getMask()[0].length);
    }

    @Test
    void anExportedDetectorLoadsWithCriteriaAndDetects(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        dpnas(
                "train",
                "--model",
                "nasfpn",
                "--work-dir",
                run.toString(),
                "--set",
                "model.backbone=\"resnet10\"",
                "--set",
                "model.pyramid_width=8",
                "--set",
                "model.head_convs=0",
                "--set",
                "data.synthetic.train_size=4",
                "--set",
                "data.synthetic.val_size=2",
                "--set",
                "data.synthetic.side=64",
                "--set",
                "train.image_size=64",
                "--batch-size",
                "2",
                "--max-steps",
                "1");
        Path model = dir.resolve("model");
        dpnas(
                "weights",
                "export",
                "--run",
                run.toString(),
                "--format",
                "djl",
                "--out",
                model.toString());
        BufferedImage img = new BufferedImage(80, 60, BufferedImage.TYPE_INT_RGB);
        Path png = dir.resolve("image.png");
        ImageIO.write(img, "png", png.toFile());
        DetectedObjects d = DetectWithCriteria.runExample(model, png);
        for (DetectedObjects.DetectedObject o : d.<DetectedObjects.DetectedObject>items()) {
            assertTrue(SyntheticDataset.DETECTION_CLASS_NAMES.contains(o.getClassName()));
            var b = o.getBoundingBox().getBounds();
            assertTrue(b.getX() >= 0 && b.getX() + b.getWidth() <= 1 + 1e-6, b.toString());
        }
    }

    @Test
    void easyTrainTrainsASearchedGenotypeOnADpnasDataset() throws Exception {
        TrainingResult r =
                TrainGenotypeWithEasyTrain.runExample(
                        Path.of("genotype-example.json"), 32, 8, 4, 2);
        assertEquals(2, r.getEpoch());
        float loss = r.getTrainLoss();
        assertTrue(Float.isFinite(loss) && loss > 0f, "train loss " + loss);
        assertTrue(Float.isFinite(r.getValidateLoss()), "validation loss " + r.getValidateLoss());
    }
}
