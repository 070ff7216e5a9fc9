package org.dpnas.datasets.seg;

import java.nio.file.Path;

/**
 * Unchecked error raised when a dataset on disk is missing files, is laid out differently than
 * expected or holds data that cannot be used; the message always names the offending file.
 */
public class DatasetException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /** Creates an exception whose message is {@code file + ": " + problem}. */
    public DatasetException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    /** Creates an exception whose message is {@code file + ": " + problem}, keeping the cause. */
    public DatasetException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** Creates an exception with a free-form message, which should name the file(s) involved. */
    public DatasetException(String message) {
        super(message);
        this.file = null;
    }

    /** The file the problem concerns, or {@code null} for a free-form message. */
    public Path file() {
        return file;
    }
}
