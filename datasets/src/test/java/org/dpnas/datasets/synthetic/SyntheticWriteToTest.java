package org.dpnas.datasets.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.dpnas.common.data.SegSample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticWriteToTest {

    @Test
    void writtenPngsReadBackToTheSameBytes(@TempDir Path dir) throws IOException {
        SyntheticDataset ds =
                new SyntheticDataset(SyntheticSpec.of(4L, "val", 4).withImageSize(40, 56));
        Path list = ds.writeTo(dir);

        assertEquals(dir.resolve("val.txt"), list);
        List<String> ids = Files.readAllLines(list, StandardCharsets.UTF_8);
        assertEquals(List.of("val_000000", "val_000001", "val_000002", "val_000003"), ids);
        boolean sawIgnore = false;
        for (int i = 0; i < ds.size(); i++) {
            SegSample s = ds.get(i);
            BufferedImage image =
                    ImageIO.read(dir.resolve("images/" + ids.get(i) + ".png").toFile());
            BufferedImage label =
                    ImageIO.read(dir.resolve("labels/" + ids.get(i) + ".png").toFile());
            assertEquals(56, image.getWidth());
            assertEquals(40, image.getHeight());
            assertEquals(3, image.getRaster().getNumBands());
            assertEquals(1, label.getRaster().getNumBands());
            assertEquals(8, label.getColorModel().getComponentSize(0));
            Raster rgb = image.getRaster();
            Raster lab = label.getRaster();
            for (int y = 0; y < 40; y++) {
                for (int x = 0; x < 56; x++) {
                    int p = y * 56 + x;
                    for (int c = 0; c < 3; c++) {
                        assertEquals(
                                s.rgb()[3 * p + c] & 0xFF,
                                rgb.getSample(x, y, c),
                                "rgb band " + c + " at " + x + "," + y + " of " + s.id());
                    }
                    int l = lab.getSample(x, y, 0);
                    assertEquals(
                            s.label()[p] & 0xFF, l, "label at " + x + "," + y + " of " + s.id());
                    sawIgnore |= l == SegSample.IGNORE;
                }
            }
        }
        assertTrue(sawIgnore, "ignore value 255 must survive the PNG round trip");
    }

    @Test
    void leavesNoTemporaryFilesAndOverwritesOnRewrite(@TempDir Path dir) throws IOException {
        SyntheticDataset first = SyntheticDataset.of(1L, "train", 3);
        first.writeTo(dir);
        SyntheticDataset second = SyntheticDataset.of(2L, "train", 3);
        second.writeTo(dir);

        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(Files::isRegularFile).forEach(files::add);
        }
        assertEquals(7, files.size(), files::toString);
        for (Path f : files) {
            assertTrue(!f.getFileName().toString().endsWith(".tmp"), f::toString);
        }
        BufferedImage label = ImageIO.read(dir.resolve("labels/train_000002.png").toFile());
        byte[] expected = second.get(2).label();
        int w = label.getWidth();
        for (int p = 0; p < expected.length; p++) {
            assertEquals(
                    expected[p] & 0xFF, label.getRaster().getSample(p % w, p / w, 0), "pixel " + p);
        }
    }
}
