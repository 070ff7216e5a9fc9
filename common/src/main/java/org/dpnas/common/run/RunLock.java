package org.dpnas.common.run;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The one-owner lock of a run directory: an operating-system file lock ({@link
 * FileChannel#tryLock()}) on {@code run.lock} in the directory, taken before the first write and
 * held until the process ends, so the OS releases it when the process dies (even by {@code kill
 * -9}) and a lock is never stale. The lock file holds who took it (pid, host, command, start time)
 * so that a refused process can name the holder.
 *
 * <p>Within one JVM the lock is re-entrant: a process that holds a directory's lock may start
 * another job on it (the in-process tests do), and {@link #releaseAll()} lets a finished command
 * give its locks back.
 */
public final class RunLock {

    /** The lock file's name inside the run directory. */
    public static final String FILE = "run.lock";

    private static final Map<Path, RunLock> HELD = new HashMap<>();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** Thrown when another process owns the run directory. */
    public static final class HeldException extends IOException {
        private static final long serialVersionUID = 1L;

        HeldException(String message) {
            super(message);
        }
    }

    /**
     * Takes the lock of {@code runDir} (creating the directory), or returns the one this process
     * holds already.
     *
     * @param runDir the run directory
     * @param command the command line, recorded for a refused process to read
     * @return the held lock
     * @throws HeldException when another process holds it, naming that process
     */
    public static synchronized RunLock acquire(Path runDir, String command) throws IOException {
        Path dir = runDir.toAbsolutePath().normalize();
        RunLock held = HELD.get(dir);
        if (held != null && held.lock.isValid()) {
            return held;
        }
        Files.createDirectories(dir);
        Path file = dir.resolve(FILE);
        FileChannel ch =
                FileChannel.open(
                        file,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            ch.close();
            throw new HeldException(
                    dir
                            + " is in use by another dpnas process ("
                            + describe(holder(file))
                            + "); wait for it to finish or stop it, then run again (a killed"
                            + " process releases the lock by itself)");
        }
        JsonObject me = new JsonObject();
        me.addProperty("pid", ProcessHandle.current().pid());
        me.addProperty("host", host());
        me.addProperty("command", command);
        me.addProperty("started", Instant.now().toString());
        byte[] bytes = (me + "\n").getBytes(StandardCharsets.UTF_8);
        ch.truncate(0);
        ch.write(ByteBuffer.wrap(bytes), 0);
        ch.force(true);
        RunLock l = new RunLock(file, ch, lock);
        HELD.put(dir, l);
        return l;
    }

    /** Whether this process holds the lock of {@code runDir}. */
    public static synchronized boolean isHeld(Path runDir) {
        RunLock l = HELD.get(runDir.toAbsolutePath().normalize());
        return l != null && l.lock.isValid();
    }

    /** Releases every lock this process holds (at the end of a command). */
    public static synchronized void releaseAll() {
        for (RunLock l : HELD.values()) {
            try {
                l.lock.release();
                l.channel.close();
            } catch (IOException e) {
                // closing the channel releases the lock; nothing else to do
            }
        }
        HELD.clear();
    }

    /** The lock file. */
    public Path file() {
        return file;
    }

    /** The holder recorded in a lock file, or an empty object when it cannot be read. */
    public static JsonObject holder(Path lockFile) {
        try {
            String text = Files.readString(lockFile, StandardCharsets.UTF_8).trim();
            return text.isEmpty()
                    ? new JsonObject()
                    : JsonParser.parseString(text).getAsJsonObject();
        } catch (IOException | RuntimeException e) {
            return new JsonObject();
        }
    }

    private static String describe(JsonObject h) {
        if (!h.has("pid")) {
            return "holder unknown";
        }
        return "pid "
                + h.get("pid").getAsString()
                + " on "
                + (h.has("host") ? h.get("host").getAsString() : "?")
                + ", started "
                + (h.has("started") ? h.get("started").getAsString() : "?")
                + ": "
                + (h.has("command") ? h.get("command").getAsString() : "?");
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
