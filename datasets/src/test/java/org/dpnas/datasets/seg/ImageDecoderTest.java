package org.dpnas.datasets.seg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDecoderTest {

    @TempDir Path dir;

    @Test
    void rgbPngKeepsChannelOrder() {
        byte[] rgb = {
            (byte) 255, 0, 0, 0, (byte) 255, 0, 0, 0, (byte) 255, 10, 20, 30, 1, 2, 3, 4, 5, 6
        };
        Path f = TestFiles.writeRgbPng(dir.resolve("c.png"), 3, 2, rgb);
        ImageDecoder.RgbImage img = ImageDecoder.readRgb(f);
        assertEquals(3, img.width());
        assertEquals(2, img.height());
        assertArrayEquals(rgb, img.rgb());
    }

    @Test
    void rgbaPngDropsAlpha() {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_4BYTE_ABGR);
        img.setRGB(0, 0, 0x80102030);
        img.setRGB(1, 0, 0xFFA0B0C0);
        Path f = TestFiles.write(img, "png", dir.resolve("a.png"));
        byte[] expected = {0x10, 0x20, 0x30, (byte) 0xA0, (byte) 0xB0, (byte) 0xC0};
        assertArrayEquals(expected, ImageDecoder.readRgb(f).rgb());
    }

    @Test
    void grayPngIsReplicatedToRgb() {
        Path f = TestFiles.writeGrayPng(dir.resolve("g.png"), 2, 1, 7, 200);
        assertArrayEquals(
                new byte[] {7, 7, 7, (byte) 200, (byte) 200, (byte) 200},
                ImageDecoder.readRgb(f).rgb());
    }

    @Test
    void palettePngResolvesColoursForRgbButIndicesForGray() {
        Path f = TestFiles.writeVocPalettePng(dir.resolve("p.png"), 3, 1, 1, 15, 255);
        ImageDecoder.GrayImage gray = ImageDecoder.readGray(f);
        assertArrayEquals(new byte[] {1, 15, (byte) 255}, gray.values());
        byte[] rgb = ImageDecoder.readRgb(f).rgb();
        int c1 = TestFiles.vocColour(1);
        assertEquals(0x800000, c1);
        assertEquals((byte) 0x80, rgb[0]);
        assertEquals(0, rgb[1]);
        int c15 = TestFiles.vocColour(15);
        assertEquals((byte) (c15 >> 16), rgb[3]);
        assertEquals((byte) (c15 >> 8), rgb[4]);
        assertEquals((byte) c15, rgb[5]);
    }

    @Test
    void lowBitDepthPaletteYieldsIndices() {
        byte[] r = new byte[16];
        byte[] g = new byte[16];
        byte[] b = new byte[16];
        for (int i = 0; i < 16; i++) {
            r[i] = (byte) (255 - i * 10);
        }
        IndexColorModel icm = new IndexColorModel(4, 16, r, g, b);
        BufferedImage img = new BufferedImage(5, 2, BufferedImage.TYPE_BYTE_BINARY, icm);
        WritableRaster raster = img.getRaster();
        for (int i = 0; i < 10; i++) {
            raster.setSample(i % 5, i / 5, 0, i);
        }
        Path f = TestFiles.write(img, "png", dir.resolve("p4.png"));
        assertArrayEquals(
                new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, ImageDecoder.readGray(f).values());
    }

    @Test
    void sixteenBitLabelsAboveByteRangeAreRejected() {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        img.getRaster().setSample(0, 0, 0, 200);
        img.getRaster().setSample(1, 0, 0, 300);
        Path f = TestFiles.write(img, "png", dir.resolve("l16.png"));
        DatasetException e = assertThrows(DatasetException.class, () -> ImageDecoder.readGray(f));
        assertTrue(e.getMessage().contains("l16.png"), e.getMessage());
        assertTrue(e.getMessage().contains("300"), e.getMessage());
    }

    @Test
    void jpegDecodesCloseToTheWrittenColours() {
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                img.setRGB(x, y, 0xC86432);
            }
        }
        Path f = TestFiles.write(img, "jpg", dir.resolve("j.jpg"));
        byte[] rgb = ImageDecoder.readRgb(f).rgb();
        assertEquals(16 * 16 * 3, rgb.length);
        assertTrue(Math.abs((rgb[0] & 0xFF) - 0xC8) <= 6, "R " + (rgb[0] & 0xFF));
        assertTrue(Math.abs((rgb[1] & 0xFF) - 0x64) <= 6, "G " + (rgb[1] & 0xFF));
        assertTrue(Math.abs((rgb[2] & 0xFF) - 0x32) <= 6, "B " + (rgb[2] & 0xFF));
    }

    @Test
    void colourLabelImageIsRejectedWithChannelCount() {
        Path f = TestFiles.writeRgbPng(dir.resolve("colour_label.png"), 4, 4);
        DatasetException e = assertThrows(DatasetException.class, () -> ImageDecoder.readGray(f));
        assertTrue(e.getMessage().contains("colour_label.png"), e.getMessage());
        assertTrue(e.getMessage().contains("3 channels"), e.getMessage());
    }

    @Test
    void truncatedPngIsReportedWithItsName() {
        Path f = TestFiles.writeRgbPng(dir.resolve("cut.png"), 64, 64);
        long full = size(f);
        TestFiles.truncate(f, (int) (full / 2));
        DatasetException e = assertThrows(DatasetException.class, () -> ImageDecoder.readRgb(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    }

    @Test
    void truncatedJpegIsReportedWithItsName() {
        Path f = TestFiles.writeJpeg(dir.resolve("cut.jpg"), 64, 64);
        TestFiles.truncate(f, (int) (size(f) / 2));
        DatasetException e = assertThrows(DatasetException.class, () -> ImageDecoder.readRgb(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    }

    @Test
    void nonImageAndMissingFilesAreReported() {
        Path text = TestFiles.writeText(dir.resolve("notes.png"), "not an image at all");
        DatasetException e1 =
                assertThrows(DatasetException.class, () -> ImageDecoder.readRgb(text));
        assertTrue(e1.getMessage().contains("notes.png"), e1.getMessage());
        Path missing = dir.resolve("nowhere.png");
        DatasetException e2 =
                assertThrows(DatasetException.class, () -> ImageDecoder.readGray(missing));
        assertTrue(e2.getMessage().contains("nowhere.png"), e2.getMessage());
        assertTrue(e2.getMessage().contains("not found"), e2.getMessage());
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
