package org.dpnas.datasets.synthetic;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Rasterises one synthetic sample (colours, instance map, label map) from its spec and index.
 *
 * <p>All randomness comes from a {@link SplittableRandom} seeded by {@link #sampleSeed}, drawn in a
 * fixed order, so the result is a pure function of the inputs. Stateless and thread-safe.
 */
final class SyntheticRenderer {

    /** Class id of the background. */
    static final int BACKGROUND = 0;

    /** Class id of a filled circle. */
    static final int DISK = 1;

    /** Class id of a filled, rotated square. */
    static final int SQUARE = 2;

    /** Class id of a filled, rotated equilateral triangle. */
    static final int TRIANGLE = 3;

    /** Class id of an annulus (a circle with a background-coloured hole). */
    static final int RING = 4;

    /** Number of shape classes (class ids {@code 1..NUM_SHAPES}). */
    static final int NUM_SHAPES = 4;

    /** Base hue in degrees of shape class {@code c}, at index {@code c - 1}; 90 degrees apart. */
    static final float[] BASE_HUE = {0f, 90f, 180f, 270f};

    /** Largest deviation in degrees of an object's hue from its class's base hue. */
    static final float HUE_JITTER = 18f;

    /** Probability that an object gets a random hue instead of its class hue (shape-only cue). */
    static final double DECOY_HUE_PROBABILITY = 0.1;

    /** Smallest object extent as a fraction of the image's short side. */
    static final float MIN_EXTENT = 0.10f;

    /** Largest object extent as a fraction of the image's short side. */
    static final float MAX_EXTENT = 0.45f;

    /** Bumped whenever the generator changes, so that old and new images never share a seed. */
    private static final long GENERATOR_VERSION = 1;

    private SyntheticRenderer() {}

    /**
     * The raster of one sample.
     *
     * @param rgb interleaved RGB bytes
     * @param label class ids with {@code 255} on the ignore band
     * @param instance per pixel the 1-based index of the topmost object covering it, {@code 0} for
     *     background
     * @param objectClass class id ({@code 1..NUM_SHAPES}) of each drawn object, in drawing order
     */
    record Rendering(byte[] rgb, byte[] label, byte[] instance, int[] objectClass) {}

    /** Derives the seed of sample {@code index} from the spec fields that define the image. */
    static long sampleSeed(SyntheticSpec spec, int index) {
        long h = mix64(spec.seed() ^ 0x6A09E667F3BCC909L);
        h = mix64(h ^ stringHash(spec.split()));
        h = mix64(h + 0x9E3779B97F4A7C15L * (index + 1L));
        h = mix64(h ^ (((long) spec.height() << 32) | spec.width()));
        h = mix64(h ^ ((long) spec.maxObjects() << 8) ^ GENERATOR_VERSION);
        return h;
    }

    /** Renders sample {@code index} of the split described by {@code spec}. */
    static Rendering render(SyntheticSpec spec, int index) {
        SplittableRandom rng = new SplittableRandom(sampleSeed(spec, index));
        int h = spec.height();
        int w = spec.width();
        Background bg = Background.random(rng, h, w);

        int count = 1 + rng.nextInt(spec.maxObjects());
        int[] objectClass = new int[count];
        float[] colour = new float[count * 3];
        float[] shadeX = new float[count];
        float[] shadeY = new float[count];
        float[] shadeC = new float[count];
        float[] noiseAmp = new float[count];
        byte[] instance = new byte[h * w];
        float shortSide = Math.min(h, w);
        for (int k = 0; k < count; k++) {
            int cls = 1 + rng.nextInt(NUM_SHAPES);
            objectClass[k] = cls;
            // sqrt biases sizes towards the large end, so objects are not mostly tiny
            float extent =
                    shortSide
                            * (MIN_EXTENT
                                    + (MAX_EXTENT - MIN_EXTENT)
                                            * (float) Math.sqrt(rng.nextDouble()));
            float cx = w * uniform(rng, 0.05f, 0.95f);
            float cy = h * uniform(rng, 0.05f, 0.95f);
            float angle = uniform(rng, 0f, (float) (2 * Math.PI));
            float thicknessFraction = uniform(rng, 0.4f, 0.6f);
            rasterise(
                    instance,
                    h,
                    w,
                    (byte) (k + 1),
                    cls,
                    cx,
                    cy,
                    extent / 2f,
                    angle,
                    thicknessFraction);

            float hue =
                    rng.nextDouble() < DECOY_HUE_PROBABILITY
                            ? uniform(rng, 0f, 360f)
                            : BASE_HUE[cls - 1] + uniform(rng, -HUE_JITTER, HUE_JITTER);
            float sat = uniform(rng, 0.55f, 1f);
            float val = uniform(rng, 0.5f, 1f);
            hsvToRgb(hue, sat, val, colour, k * 3);
            // a soft linear shading across the object, in grey levels per radius
            float shade = uniform(rng, 0f, 30f);
            float shadeAngle = uniform(rng, 0f, (float) (2 * Math.PI));
            float radius = Math.max(1f, extent / 2f);
            shadeX[k] = (float) Math.cos(shadeAngle) * shade / radius;
            shadeY[k] = (float) Math.sin(shadeAngle) * shade / radius;
            shadeC[k] = -(shadeX[k] * cx + shadeY[k] * cy);
            noiseAmp[k] = uniform(rng, 6f, 22f);
        }

        byte[] rgb = new byte[h * w * 3];
        byte[] label = new byte[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                long bits = rng.nextLong();
                float n0 = triangularNoise(bits);
                float n1 = triangularNoise(bits >>> 16);
                float n2 = triangularNoise(bits >>> 32);
                int k = instance[i];
                int o = i * 3;
                if (k == 0) {
                    bg.paint(x, y, n0, n1, n2, rgb, o);
                } else {
                    int j = k - 1;
                    label[i] = (byte) objectClass[j];
                    float s = shadeX[j] * (x + 0.5f) + shadeY[j] * (y + 0.5f) + shadeC[j];
                    float a = noiseAmp[j];
                    rgb[o] = clampByte(colour[j * 3] + s + a * n0);
                    rgb[o + 1] = clampByte(colour[j * 3 + 1] + s + a * n1);
                    rgb[o + 2] = clampByte(colour[j * 3 + 2] + s + a * n2);
                }
            }
        }
        markIgnoreBand(instance, label, h, w, spec.ignoreBorder());
        return new Rendering(rgb, label, instance, objectClass);
    }

    /**
     * Sets {@code label} to 255 on every object pixel that has a pixel of another instance (or the
     * background) within Chebyshev distance {@code border}; pixels outside the image do not count.
     */
    static void markIgnoreBand(byte[] instance, byte[] label, int h, int w, int border) {
        if (border <= 0) {
            return;
        }
        int n = h * w;
        byte[] rowMin = new byte[n];
        byte[] rowMax = new byte[n];
        for (int y = 0; y < h; y++) {
            int row = y * w;
            for (int x = 0; x < w; x++) {
                int lo = Byte.MAX_VALUE;
                int hi = Byte.MIN_VALUE;
                int x0 = Math.max(0, x - border);
                int x1 = Math.min(w - 1, x + border);
                for (int xx = x0; xx <= x1; xx++) {
                    int v = instance[row + xx];
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
                rowMin[row + x] = (byte) lo;
                rowMax[row + x] = (byte) hi;
            }
        }
        for (int y = 0; y < h; y++) {
            int y0 = Math.max(0, y - border);
            int y1 = Math.min(h - 1, y + border);
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                int k = instance[i];
                if (k == 0) {
                    continue;
                }
                for (int yy = y0; yy <= y1; yy++) {
                    int j = yy * w + x;
                    if (rowMin[j] != k || rowMax[j] != k) {
                        label[i] = (byte) 255;
                        break;
                    }
                }
            }
        }
    }

    /**
     * Writes {@code id} into {@code instance} on every pixel whose centre lies inside the shape.
     *
     * @param radius half the object's extent: the radius of disk and ring, half the side of the
     *     square; the triangle's circumradius is {@code 1.3 * radius}
     * @param thicknessFraction ring thickness as a fraction of its radius (at least 3 px)
     */
    static void rasterise(
            byte[] instance,
            int h,
            int w,
            byte id,
            int cls,
            float cx,
            float cy,
            float radius,
            float angle,
            float thicknessFraction) {
        float cos = (float) Math.cos(angle);
        float sin = (float) Math.sin(angle);
        float outer = radius;
        float bound = radius;
        float half = radius * 0.9f;
        float inner2 = 0f;
        float inradius = 0f;
        float[] nx = null;
        float[] ny = null;
        switch (cls) {
            case DISK -> {}
            case RING -> {
                float inner = Math.max(0f, radius - Math.max(3f, radius * thicknessFraction));
                inner2 = inner * inner;
            }
            case SQUARE -> bound = half * 1.4143f;
            case TRIANGLE -> {
                outer = radius * 1.3f;
                bound = outer;
                inradius = outer / 2f;
                nx = new float[3];
                ny = new float[3];
                for (int e = 0; e < 3; e++) {
                    double a = angle + Math.PI / 3 + e * 2 * Math.PI / 3;
                    nx[e] = (float) Math.cos(a);
                    ny[e] = (float) Math.sin(a);
                }
            }
            default -> throw new IllegalArgumentException("not a shape class: " + cls);
        }
        float outer2 = outer * outer;
        int x0 = Math.max(0, (int) Math.floor(cx - bound - 1));
        int x1 = Math.min(w - 1, (int) Math.ceil(cx + bound + 1));
        int y0 = Math.max(0, (int) Math.floor(cy - bound - 1));
        int y1 = Math.min(h - 1, (int) Math.ceil(cy + bound + 1));
        for (int y = y0; y <= y1; y++) {
            float dy = y + 0.5f - cy;
            for (int x = x0; x <= x1; x++) {
                float dx = x + 0.5f - cx;
                boolean inside;
                switch (cls) {
                    case DISK -> inside = dx * dx + dy * dy <= outer2;
                    case RING -> {
                        float d2 = dx * dx + dy * dy;
                        inside = d2 <= outer2 && d2 >= inner2;
                    }
                    case SQUARE ->
                            inside =
                                    Math.abs(dx * cos + dy * sin) <= half
                                            && Math.abs(dy * cos - dx * sin) <= half;
                    default ->
                            inside =
                                    dx * nx[0] + dy * ny[0] <= inradius
                                            && dx * nx[1] + dy * ny[1] <= inradius
                                            && dx * nx[2] + dy * ny[2] <= inradius;
                }
                if (inside) {
                    instance[y * w + x] = id;
                }
            }
        }
    }

    /** The textured background: gradient between two muted colours, a pattern, and noise. */
    private record Background(
            float[] c1,
            float[] delta,
            float[] c3,
            float gx,
            float gy,
            float g0,
            boolean checker,
            float ux,
            float uy,
            float invPeriod,
            float phase,
            float alpha,
            float noise) {

        static Background random(SplittableRandom rng, int h, int w) {
            float[] c1 = new float[3];
            float[] c2 = new float[3];
            float[] c3 = new float[3];
            float v1 = uniform(rng, 0.2f, 0.85f);
            hsvToRgb(uniform(rng, 0f, 360f), uniform(rng, 0f, 0.3f), v1, c1, 0);
            float v2 = uniform(rng, 0.2f, 0.85f);
            hsvToRgb(uniform(rng, 0f, 360f), uniform(rng, 0f, 0.3f), v2, c2, 0);
            // the pattern colour is clearly lighter or darker than c1, so the texture shows
            float contrast = uniform(rng, 0.25f, 0.5f);
            boolean lighter = v1 - contrast < 0f || (v1 + contrast <= 1f && rng.nextBoolean());
            float v3 = lighter ? v1 + contrast : v1 - contrast;
            hsvToRgb(uniform(rng, 0f, 360f), uniform(rng, 0f, 0.35f), v3, c3, 0);
            float[] delta = {c2[0] - c1[0], c2[1] - c1[1], c2[2] - c1[2]};
            // gradient parameter t in [0, 1] along a random direction
            double ga = rng.nextDouble() * 2 * Math.PI;
            float span = (float) (Math.abs(Math.cos(ga)) * w + Math.abs(Math.sin(ga)) * h);
            float gx = (float) Math.cos(ga) / span;
            float gy = (float) Math.sin(ga) / span;
            float g0 = 0.5f - gx * w / 2f - gy * h / 2f;
            boolean checker = rng.nextBoolean();
            double pa = rng.nextDouble() * Math.PI;
            float period = uniform(rng, 4f, 20f);
            return new Background(
                    c1,
                    delta,
                    c3,
                    gx,
                    gy,
                    g0,
                    checker,
                    (float) Math.cos(pa),
                    (float) Math.sin(pa),
                    1f / period,
                    uniform(rng, 0f, 1f),
                    uniform(rng, 0.3f, 0.7f),
                    uniform(rng, 6f, 18f));
        }

        void paint(int x, int y, float n0, float n1, float n2, byte[] rgb, int o) {
            float px = x + 0.5f;
            float py = y + 0.5f;
            float t = gx * px + gy * py + g0;
            float u = (px * ux + py * uy) * invPeriod + phase;
            float m;
            if (checker) {
                float v = (py * ux - px * uy) * invPeriod;
                m = (((int) Math.floor(u) + (int) Math.floor(v)) & 1) == 0 ? 0f : 1f;
            } else {
                float f = u - (float) Math.floor(u);
                m = 1f - Math.abs(2f * f - 1f);
            }
            float am = alpha * m;
            for (int c = 0; c < 3; c++) {
                float base = c1[c] + delta[c] * t;
                float n = c == 0 ? n0 : c == 1 ? n1 : n2;
                rgb[o + c] = clampByte(base + am * (c3[c] - base) + noise * n);
            }
        }
    }

    /** A triangular-distributed value in {@code [-1, 1]} from the low 16 bits. */
    private static float triangularNoise(long bits) {
        int a = (int) (bits & 0xFF);
        int b = (int) ((bits >>> 8) & 0xFF);
        return (a + b - 255) / 255f;
    }

    private static float uniform(SplittableRandom rng, float lo, float hi) {
        return lo + (float) rng.nextDouble() * (hi - lo);
    }

    private static byte clampByte(float v) {
        int i = Math.round(v);
        return (byte) (i < 0 ? 0 : Math.min(i, 255));
    }

    /** Converts hue (degrees, any range), saturation and value in [0, 1] to RGB in [0, 255]. */
    static void hsvToRgb(float hue, float sat, float val, float[] out, int offset) {
        float hh = ((hue % 360f) + 360f) % 360f / 60f;
        int sector = Math.min(5, (int) hh);
        float f = hh - sector;
        float v = val * 255f;
        float p = v * (1f - sat);
        float q = v * (1f - sat * f);
        float t = v * (1f - sat * (1f - f));
        float r;
        float g;
        float b;
        switch (sector) {
            case 0 -> {
                r = v;
                g = t;
                b = p;
            }
            case 1 -> {
                r = q;
                g = v;
                b = p;
            }
            case 2 -> {
                r = p;
                g = v;
                b = t;
            }
            case 3 -> {
                r = p;
                g = q;
                b = v;
            }
            case 4 -> {
                r = t;
                g = p;
                b = v;
            }
            default -> {
                r = v;
                g = p;
                b = q;
            }
        }
        out[offset] = r;
        out[offset + 1] = g;
        out[offset + 2] = b;
    }

    /** A 64-bit FNV-1a hash of the UTF-8 bytes of {@code s}. */
    private static long stringHash(String s) {
        long h = 0xCBF29CE484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001B3L;
        }
        return h;
    }

    /** A bijective 64-bit finaliser (xor-shift / multiply avalanche). */
    private static long mix64(long z) {
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }
}
