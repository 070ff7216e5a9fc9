package org.dpnas.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Runs {@code dpnas} in a child JVM (the test's classpath, offline, one libtorch thread), so a test
 * can kill it with SIGKILL at an arbitrary moment or run it next to an in-process command.
 */
public final class Child {

    private Child() {}

    /** Starts {@code dpnas args...} in a child JVM; its output goes to {@code log}. */
    public static Process start(Path log, String... args) throws java.io.IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Dai.djl.offline=true");
        String home = System.getProperty("dpnas.home");
        if (home != null) {
            cmd.add("-Ddpnas.home=" + home);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OMP_NUM_THREADS", "1");
        return pb.redirectOutput(log.toFile()).start();
    }

    /**
     * Waits until {@code condition} holds or the child exits or {@code seconds} pass.
     *
     * @return whether the condition holds
     */
    public static boolean await(Process p, BooleanSupplier condition, int seconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean() && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return condition.getAsBoolean();
    }

    /** Kills the child with SIGKILL (on Linux) and waits for it to be gone. */
    public static void kill(Process p) throws InterruptedException {
        p.destroyForcibly();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("child " + p.pid() + " survived SIGKILL");
        }
    }
}
