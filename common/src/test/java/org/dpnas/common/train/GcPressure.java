package org.dpnas.common.train;

/**
 * Forces garbage collection and churns short-lived native wrappers between forward and backward.
 */
final class GcPressure {

    private GcPressure() {}

    static void apply() {
        for (int i = 0; i < 3; i++) {
            byte[][] junk = new byte[64][];
            for (int j = 0; j < junk.length; j++) {
                junk[j] = new byte[64 * 1024];
            }
            System.gc();
            System.runFinalization();
        }
    }
}
