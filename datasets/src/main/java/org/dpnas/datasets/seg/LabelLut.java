package org.dpnas.datasets.seg;

import java.nio.file.Path;
import org.dpnas.common.data.SegSample;

/**
 * A 256-entry table mapping raw label values read from disk to train ids, remembering which raw
 * values are legal (map to {@code 0..numClasses-1} or to {@link SegSample#IGNORE}).
 */
final class LabelLut {

    private final byte[] map = new byte[256];
    private final boolean[] legal = new boolean[256];
    private final int numClasses;

    private LabelLut(int[] table, int numClasses) {
        this.numClasses = numClasses;
        for (int v = 0; v < 256; v++) {
            int t = table[v];
            map[v] = (byte) t;
            legal[v] = (t >= 0 && t < numClasses) || t == SegSample.IGNORE;
        }
    }

    /** Keeps values {@code 0..numClasses-1} and 255; every other value is out of range. */
    static LabelLut identity(int numClasses) {
        int[] table = new int[256];
        for (int v = 0; v < 256; v++) {
            table[v] = v;
        }
        return new LabelLut(table, numClasses);
    }

    /**
     * Uses {@code table[raw]} as the train id; entries outside {@code 0..numClasses-1} other than
     * 255 mark raw values that are out of range.
     */
    static LabelLut of(int[] table, int numClasses) {
        if (table.length != 256) {
            throw new IllegalArgumentException(
                    "lookup table needs 256 entries, got " + table.length);
        }
        return new LabelLut(table.clone(), numClasses);
    }

    /** Train id for a raw value, or -1 if the raw value is out of range. */
    int lookup(int raw) {
        return legal[raw & 0xFF] ? map[raw & 0xFF] & 0xFF : -1;
    }

    /** Returns the mapped copy of raw values; fails on the first value that is out of range. */
    byte[] apply(byte[] raw, int width, Path file) {
        byte[] out = new byte[raw.length];
        boolean bad = false;
        for (int i = 0; i < raw.length; i++) {
            int v = raw[i] & 0xFF;
            bad |= !legal[v];
            out[i] = map[v];
        }
        if (bad) {
            for (int i = 0; i < raw.length; i++) {
                if (!legal[raw[i] & 0xFF]) {
                    throw outOfRange(file, raw[i] & 0xFF, i, width);
                }
            }
        }
        return out;
    }

    private DatasetException outOfRange(Path file, int value, int index, int width) {
        return new DatasetException(
                file,
                "label value "
                        + value
                        + " at (x="
                        + index % width
                        + ", y="
                        + index / width
                        + ") is out of range: expected 0.."
                        + (numClasses - 1)
                        + " or 255 (ignore)");
    }
}
