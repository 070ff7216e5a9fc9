package org.dpnas.common.train;

import ai.djl.Device;
import ai.djl.engine.Engine;

/**
 * Parses the {@code --device} option: {@code auto} (the first GPU when the engine sees one, else
 * the CPU), {@code cpu}, {@code gpu} (GPU 0) or {@code gpu:N}. The device is chosen once per run
 * and everything else is created on it.
 */
public final class Devices {

    private Devices() {}

    /**
     * Sets libtorch's intra-op thread count ({@code 0} keeps libtorch's default) and resolves the
     * device: the start of every job.
     */
    public static Device setUp(int threads, String spec) {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        }
        Engine.getInstance(); // loads libtorch before its thread count can be set
        if (threads > 0) {
            ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
        }
        return resolve(spec);
    }

    /**
     * Resolves a device specification against the engine.
     *
     * @param spec {@code auto}, {@code cpu}, {@code gpu} or {@code gpu:N}
     * @return the device
     * @throws IllegalArgumentException for an unknown spec or a GPU the engine does not have
     */
    public static Device resolve(String spec) {
        String s = spec == null ? "auto" : spec.trim().toLowerCase(java.util.Locale.ROOT);
        int gpus = Engine.getInstance().getGpuCount();
        if (s.equals("auto")) {
            return gpus > 0 ? Device.gpu(0) : Device.cpu();
        }
        if (s.equals("cpu")) {
            return Device.cpu();
        }
        if (s.equals("gpu") || s.startsWith("gpu:")) {
            int id;
            try {
                id = s.equals("gpu") ? 0 : Integer.parseInt(s.substring(4));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "--device " + spec + ": expected gpu:N with N a GPU index");
            }
            if (id < 0 || id >= gpus) {
                throw new IllegalArgumentException(
                        "--device "
                                + spec
                                + ": the PyTorch engine sees "
                                + gpus
                                + " GPU(s); see the README's GPU set-up (PYTORCH_LIBRARY_PATH,"
                                + " PYTORCH_FLAVOR) or use --device cpu");
            }
            return Device.gpu(id);
        }
        throw new IllegalArgumentException(
                "--device " + spec + ": expected auto, cpu, gpu or gpu:N");
    }
}
