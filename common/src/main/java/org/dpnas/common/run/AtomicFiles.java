package org.dpnas.common.run;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.security.SecureRandom;

/**
 * Writes files so that a reader (or a process killed half-way) sees either the old content or the
 * new, never a mix: write to a temporary file in the same directory, flush it to disk, then rename
 * it over the target.
 *
 * <p>Files and directories are created with the process umask ({@code 0644} / {@code 0755} under
 * umask 022), unlike {@link Files#createTempFile}'s {@code 0600}; replacing a file keeps the
 * permissions the old one had.
 */
public final class AtomicFiles {

    /** Something that writes the new content of a file. */
    @FunctionalInterface
    public interface Writer {
        /** Writes the content to {@code out}. */
        void write(OutputStream out) throws IOException;
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFiles() {}

    /** Atomically replaces {@code target} with {@code text} (UTF-8). */
    public static void writeString(Path target, String text) throws IOException {
        write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Atomically replaces {@code target} with what {@code writer} writes. */
    public static void write(Path target, Writer writer) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = tempFile(dir, "." + target.getFileName() + ".", ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE)) {
                writer.write(out);
            }
            keepMode(target, tmp);
            fsync(tmp);
            move(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Creates a new empty file {@code dir/prefix<random>suffix} with the permissions the process
     * umask gives (not {@code 0600}).
     */
    public static Path tempFile(Path dir, String prefix, String suffix) throws IOException {
        while (true) {
            Path p = dir.resolve(prefix + Long.toUnsignedString(RANDOM.nextLong()) + suffix);
            try {
                Files.newOutputStream(p, StandardOpenOption.CREATE_NEW).close();
                return p;
            } catch (FileAlreadyExistsException e) {
                // another name
            }
        }
    }

    /**
     * Creates a new directory {@code dir/prefix<random>} with the permissions the process umask
     * gives (not {@code 0700}).
     */
    public static Path tempDirectory(Path dir, String prefix) throws IOException {
        while (true) {
            Path p = dir.resolve(prefix + Long.toUnsignedString(RANDOM.nextLong()));
            try {
                return Files.createDirectory(p);
            } catch (FileAlreadyExistsException e) {
                // another name
            }
        }
    }

    /** Gives {@code fresh} the POSIX permissions of {@code old}, when both exist on POSIX. */
    private static void keepMode(Path old, Path fresh) throws IOException {
        if (Files.exists(old)
                && Files.getFileStore(fresh)
                        .supportsFileAttributeView(PosixFileAttributeView.class)) {
            Files.setPosixFilePermissions(fresh, Files.getPosixFilePermissions(old));
        }
    }

    /** Renames {@code from} to {@code to} atomically where the file system allows it. */
    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(
                    from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Flushes a file's content to the storage device. */
    public static void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }
}
