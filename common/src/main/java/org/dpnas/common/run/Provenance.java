package org.dpnas.common.run;

import ai.djl.engine.Engine;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a run needs to be rebuilt: versions (dpnas, Java, DJL, libtorch), the seed, the device and
 * thread count, the git revision of the source tree, the command line and the start time, and the
 * glibc allocator settings the process started with ({@link #MALLOC_SETTINGS}, which the {@code
 * dpnas} launcher sets: they change the speed, not the results).
 */
public final class Provenance {

    /**
     * The glibc malloc settings that change how fast a step runs: a step's tensors are freed
     * together when its manager closes, and with glibc's defaults the freed memory goes back to the
     * kernel and is faulted in again the next step (see README, "Devices and GPUs").
     */
    public static final List<String> MALLOC_SETTINGS =
            List.of("MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_THRESHOLD_");

    /** The {@link #MALLOC_SETTINGS} the {@code dpnas} launcher sets when they are unset. */
    public static final List<String> LAUNCHER_MALLOC_SETTINGS = MALLOC_SETTINGS.subList(0, 2);

    /** The {@link #MALLOC_SETTINGS} of this process's environment (unset ones left out). */
    public static JsonObject malloc() {
        JsonObject o = new JsonObject();
        for (String k : MALLOC_SETTINGS) {
            String v = System.getenv(k);
            if (v != null) {
                o.addProperty(k, v);
            }
        }
        return o;
    }

    private Provenance() {}

    /**
     * Collects provenance.
     *
     * @param seed the run's seed
     * @param device the device name
     * @param args the command line
     * @return a JSON object for {@code provenance.json}
     */
    public static JsonObject collect(long seed, String device, List<String> args) {
        JsonObject o = new JsonObject();
        o.addProperty("dpnas_version", version());
        o.addProperty("started", Instant.now().toString());
        o.addProperty("seed", seed);
        o.addProperty("device", device);
        Engine engine = Engine.getInstance();
        o.addProperty("engine", engine.getEngineName());
        o.addProperty("engine_version", engine.getVersion());
        o.addProperty("djl_version", Engine.getDjlVersion());
        o.addProperty("threads", threads());
        o.addProperty("java_version", System.getProperty("java.version"));
        o.addProperty("java_vendor", System.getProperty("java.vendor"));
        o.addProperty(
                "os",
                System.getProperty("os.name")
                        + " "
                        + System.getProperty("os.version")
                        + " "
                        + System.getProperty("os.arch"));
        o.addProperty("cpus", Runtime.getRuntime().availableProcessors());
        o.add("malloc", malloc());
        o.addProperty("host", host());
        String rev = git("rev-parse", "HEAD");
        o.addProperty("git_revision", rev);
        if (rev != null) {
            String status = git("status", "--porcelain", "--untracked-files=no");
            o.addProperty("git_dirty", status != null && !status.isEmpty());
        }
        JsonArray a = new JsonArray();
        args.forEach(a::add);
        o.add("command", a);
        return o;
    }

    /** The intra-op thread count of the engine (libtorch). */
    public static int threads() {
        try {
            return ai.djl.pytorch.jni.JniUtils.getNumThreads();
        } catch (RuntimeException | LinkageError e) {
            return -1;
        }
    }

    /** The dpnas version from the jar manifest, or "dev" when run from classes. */
    public static String version() {
        String v = Provenance.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String git(String... cmd) {
        String[] full = new String[cmd.length + 1];
        full[0] = "git";
        System.arraycopy(cmd, 0, full, 1, cmd.length);
        try {
            Process p =
                    new ProcessBuilder(full)
                            .directory(Path.of("").toAbsolutePath().toFile())
                            .redirectErrorStream(false)
                            .redirectError(ProcessBuilder.Redirect.DISCARD)
                            .start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return null;
            }
            return new String(out, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
