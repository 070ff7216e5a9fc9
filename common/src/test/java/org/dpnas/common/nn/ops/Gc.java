package org.dpnas.common.nn.ops;

/** Forces collections between forward and backward, to expose freed-buffer gradient bugs. */
final class Gc {

    private Gc() {}

    static void pressure() {
        for (int i = 0; i < 3; i++) {
            byte[][] junk = new byte[64][];
            for (int j = 0; j < junk.length; j++) {
                junk[j] = new byte[64 * 1024];
            }
            System.gc();
        }
    }
}
