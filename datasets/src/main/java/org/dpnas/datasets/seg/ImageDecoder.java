package org.dpnas.datasets.seg;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.SampleModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStreamImpl;

/**
 * Decodes PNG and JPEG files straight into the compact byte layouts used by the datasets, reading
 * the decoded raster's backing bytes instead of converting pixel by pixel.
 *
 * <p>Label files are read as raw raster samples: a palette PNG yields its palette indices, never
 * the colours. Every failure (missing file, unknown format, truncated or corrupt data, unsupported
 * layout) is reported as a {@link DatasetException} naming the file. All methods are thread-safe.
 */
public final class ImageDecoder {

    private ImageDecoder() {}

    /**
     * A decoded colour image.
     *
     * @param height rows
     * @param width columns
     * @param rgb interleaved RGB bytes, row-major, {@code height * width * 3} long
     */
    public record RgbImage(int height, int width, byte[] rgb) {}

    /**
     * A decoded single-channel 8-bit image, such as a label map.
     *
     * @param height rows
     * @param width columns
     * @param values raw samples (palette indices for palette PNGs), row-major, read as unsigned
     */
    public record GrayImage(int height, int width, byte[] values) {}

    /**
     * Reads an RGB image and checks it against the size an annotation declares for it.
     *
     * @param file the image
     * @param width the declared width, or 0 when the annotation declares none
     * @param height the declared height, or 0 when the annotation declares none
     * @param declaredIn the annotation file, named in the error
     * @throws DatasetException naming the image when it is unreadable or of another size
     */
    public static RgbImage readRgb(Path file, int width, int height, Path declaredIn) {
        RgbImage img = readRgb(file);
        if (width > 0 && height > 0 && (img.width() != width || img.height() != height)) {
            throw new DatasetException(
                    file,
                    "image size "
                            + img.width()
                            + "x"
                            + img.height()
                            + " differs from size "
                            + width
                            + "x"
                            + height
                            + " (width x height) declared in "
                            + declaredIn);
        }
        return img;
    }

    /** Reads a PNG or JPEG file as RGB; grayscale is replicated and palettes are resolved. */
    public static RgbImage readRgb(Path file) {
        BufferedImage image = decode(file);
        Raster raster = image.getRaster();
        ColorModel cm = image.getColorModel();
        int w = raster.getWidth();
        int h = raster.getHeight();
        byte[] out = new byte[w * h * 3];
        if (cm instanceof IndexColorModel icm) {
            byte[] indices = samples8(raster, 0, file, "palette index");
            byte[] lut = new byte[256 * 3];
            for (int i = 0; i < icm.getMapSize() && i < 256; i++) {
                lut[3 * i] = (byte) icm.getRed(i);
                lut[3 * i + 1] = (byte) icm.getGreen(i);
                lut[3 * i + 2] = (byte) icm.getBlue(i);
            }
            for (int p = 0, o = 0; p < indices.length; p++, o += 3) {
                int k = (indices[p] & 0xFF) * 3;
                out[o] = lut[k];
                out[o + 1] = lut[k + 1];
                out[o + 2] = lut[k + 2];
            }
            return new RgbImage(h, w, out);
        }
        int colourType = cm.getColorSpace().getType();
        int bands = raster.getNumBands();
        if (colourType == ColorSpace.TYPE_RGB && bands >= 3) {
            for (int b = 0; b < 3; b++) {
                byte[] plane = samples8(raster, b, file, "colour sample");
                for (int p = 0, o = b; p < plane.length; p++, o += 3) {
                    out[o] = plane[p];
                }
            }
        } else if (colourType == ColorSpace.TYPE_GRAY && bands >= 1) {
            byte[] plane = samples8(raster, 0, file, "gray sample");
            for (int p = 0, o = 0; p < plane.length; p++, o += 3) {
                out[o] = plane[p];
                out[o + 1] = plane[p];
                out[o + 2] = plane[p];
            }
        } else {
            throw new DatasetException(
                    file,
                    "unsupported colour layout ("
                            + bands
                            + " bands, colour space type "
                            + colourType
                            + "); expected RGB, grayscale or palette");
        }
        return new RgbImage(h, w, out);
    }

    /**
     * Reads a single-channel file (grayscale or palette PNG) as raw 8-bit samples, without any
     * colour conversion.
     *
     * @throws DatasetException if the file has more than one channel (e.g. colour-coded labels) or
     *     holds a sample above 255
     */
    public static GrayImage readGray(Path file) {
        BufferedImage image = decode(file);
        Raster raster = image.getRaster();
        if (raster.getNumBands() != 1) {
            throw new DatasetException(
                    file,
                    "expected a single-channel label image (grayscale or palette PNG), got "
                            + raster.getNumBands()
                            + " channels; colour-coded label images are not supported");
        }
        byte[] values = samples8(raster, 0, file, "label value");
        return new GrayImage(raster.getHeight(), raster.getWidth(), values);
    }

    /**
     * Copies one band of a raster into a row-major byte array. Byte-backed interleaved rasters are
     * read directly from their buffer; others go through {@link Raster#getSamples}, where 16-bit
     * colour samples are scaled to 8 bits and label samples above 255 are an error.
     */
    private static byte[] samples8(Raster raster, int band, Path file, String what) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int minX = raster.getMinX();
        int minY = raster.getMinY();
        byte[] out = new byte[w * h];
        SampleModel sm = raster.getSampleModel();
        DataBuffer buffer = raster.getDataBuffer();
        if (buffer instanceof DataBufferByte bytes
                && bytes.getNumBanks() == 1
                && sm instanceof ComponentSampleModel csm
                && sm.getSampleSize(band) == 8) {
            byte[] data = bytes.getData();
            int pixelStride = csm.getPixelStride();
            int scanline = csm.getScanlineStride();
            int start =
                    bytes.getOffset()
                            + (minY - raster.getSampleModelTranslateY()) * scanline
                            + (minX - raster.getSampleModelTranslateX()) * pixelStride
                            + csm.getBandOffsets()[band];
            for (int y = 0; y < h; y++) {
                int src = start + y * scanline;
                int dst = y * w;
                if (pixelStride == 1) {
                    System.arraycopy(data, src, out, dst, w);
                } else {
                    for (int x = 0; x < w; x++, src += pixelStride) {
                        out[dst + x] = data[src];
                    }
                }
            }
            return out;
        }
        int bits = sm.getSampleSize(band);
        boolean label = what.startsWith("label");
        int shift = !label && bits > 8 ? bits - 8 : 0;
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getSamples(minX, minY + y, w, 1, band, row);
            for (int x = 0; x < w; x++) {
                int v = row[x] >>> shift;
                if (v > 255) {
                    throw new DatasetException(
                            file,
                            what + " " + v + " at (x=" + x + ", y=" + y + ") does not fit 0..255");
                }
                out[y * w + x] = (byte) v;
            }
        }
        return out;
    }

    /** Reads and decodes the whole file, turning every failure into a message naming it. */
    private static BufferedImage decode(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new DatasetException(file, "image file not found", e);
        } catch (IOException e) {
            throw new DatasetException(file, "cannot read image file: " + e, e);
        }
        if (bytes.length == 0) {
            throw new DatasetException(file, "image file is empty");
        }
        try (BytesInputStream in = new BytesInputStream(bytes)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new DatasetException(file, "not a PNG or JPEG image (unrecognised format)");
            }
            ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            BufferedImage image;
            try {
                reader.setInput(in, true, true);
                image = reader.read(0);
            } finally {
                reader.dispose();
            }
            if (!warnings.isEmpty()) {
                throw new DatasetException(
                        file, "corrupt or truncated image: " + String.join("; ", warnings));
            }
            if (image == null || image.getWidth() <= 0 || image.getHeight() <= 0) {
                throw new DatasetException(file, "decoded to an empty image");
            }
            return image;
        } catch (DatasetException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new DatasetException(
                    file, "cannot decode image (corrupt or truncated file?): " + e, e);
        }
    }

    /** A seekable image input stream over an in-memory copy of the file, without caching. */
    private static final class BytesInputStream extends ImageInputStreamImpl {
        private final byte[] data;

        BytesInputStream(byte[] data) {
            this.data = data;
        }

        @Override
        public int read() throws IOException {
            checkClosed();
            bitOffset = 0;
            if (streamPos >= data.length) {
                return -1;
            }
            return data[(int) streamPos++] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            checkClosed();
            Objects.checkFromIndexSize(off, len, b.length);
            bitOffset = 0;
            if (len == 0) {
                return 0;
            }
            if (streamPos >= data.length) {
                return -1;
            }
            int n = (int) Math.min(len, data.length - streamPos);
            System.arraycopy(data, (int) streamPos, b, off, n);
            streamPos += n;
            return n;
        }

        @Override
        public long length() {
            return data.length;
        }
    }
}
