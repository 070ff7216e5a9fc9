package org.dpnas.datasets.augment;

import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

/** The bilinear image path through OpenCV's {@code warpAffine} (native, vectorised). */
final class OpenCvResampler extends Resampler {

    private static volatile OpenCvResampler instance;

    private OpenCvResampler() {}

    /** Loads the native library on first use; fails with a clear message when it cannot. */
    static OpenCvResampler instance() {
        OpenCvResampler r = instance;
        if (r == null) {
            synchronized (OpenCvResampler.class) {
                if (instance == null) {
                    try {
                        nu.pattern.OpenCV.loadLocally();
                        // samples are already resampled in parallel, one per data worker
                        org.opencv.core.Core.setNumThreads(1);
                    } catch (RuntimeException | LinkageError e) {
                        throw new IllegalStateException(
                                "cannot load the OpenCV native library: " + e, e);
                    }
                    instance = new OpenCvResampler();
                }
                r = instance;
            }
        }
        return r;
    }

    @Override
    public String name() {
        return "opencv";
    }

    @Override
    public byte[] image(byte[] rgb, Geometry g, int[] fill) {
        int y0 = g.validY0();
        int y1 = g.validY1();
        int x0 = g.validX0();
        int x1 = g.validX1();
        if (y1 <= y0 || x1 <= x0) {
            return filled(g, fill);
        }
        Mat src = new Mat(g.srcH(), g.srcW(), CvType.CV_8UC3);
        Mat dst = new Mat(g.outH(), g.outW(), CvType.CV_8UC3);
        Mat m = new Mat(2, 3, CvType.CV_64F);
        try {
            src.put(0, 0, rgb);
            dst.setTo(new Scalar(fill[0], fill[1], fill[2]));
            double ax = g.srcW() / (double) g.scaledW();
            double ay = g.srcH() / (double) g.scaledH();
            // source x of output column x (within the valid rectangle starting at x0)
            double bx;
            double sx;
            if (g.flip()) {
                sx = -ax;
                bx = (g.outW() - 1 - x0 + g.offX() + 0.5) * ax - 0.5;
            } else {
                sx = ax;
                bx = (x0 + g.offX() + 0.5) * ax - 0.5;
            }
            double by = (y0 + g.offY() + 0.5) * ay - 0.5;
            m.put(0, 0, sx, 0, bx, 0, ay, by);
            Mat roi = dst.submat(y0, y1, x0, x1);
            Imgproc.warpAffine(
                    src,
                    roi,
                    m,
                    new Size(x1 - x0, y1 - y0),
                    Imgproc.INTER_LINEAR | Imgproc.WARP_INVERSE_MAP,
                    org.opencv.core.Core.BORDER_REPLICATE);
            roi.release();
            byte[] out = new byte[g.outH() * g.outW() * 3];
            dst.get(0, 0, out);
            return out;
        } finally {
            src.release();
            dst.release();
            m.release();
        }
    }
}
