package org.dpnas.eval.det;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A COCO instances or results file that cannot be evaluated; the message names the file and the
 * offending entry (for example {@code annotations[12]}) and field, as pycocotools would fail on it.
 */
public class CocoFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with a message of the form {@code "<file>: <where>: <problem>"}.
     *
     * @param file the file being read, or {@code null} for in-memory data
     * @param where the entry, e.g. {@code "annotations[3].bbox"}
     * @param problem what is wrong with it
     */
    public CocoFormatException(Path file, String where, String problem) {
        super((file == null ? "<memory>" : file.toString()) + ": " + where + ": " + problem);
    }

    /**
     * Creates the exception wrapping a lower-level parse error.
     *
     * @param file the file being read
     * @param where the reader position, e.g. {@code "$.annotations[3].bbox"}
     * @param cause the parser error
     */
    public CocoFormatException(Path file, String where, Throwable cause) {
        super(file + ": " + where + ": " + cause.getMessage(), cause);
    }
}
