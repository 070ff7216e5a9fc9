package org.dpnas.common.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A safetensors file that cannot be read or does not fit a block; the message names the file and,
 * where one is to blame, the tensor.
 */
public final class SafeTensorsException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String tensor;

    /**
     * Creates the exception.
     *
     * @param file the file
     * @param tensor the tensor at fault, or null for the file as a whole
     * @param message what is wrong
     */
    public SafeTensorsException(Path file, String tensor, String message) {
        super(file + (tensor == null ? "" : ": tensor '" + tensor + "'") + ": " + message);
        this.file = file;
        this.tensor = tensor;
    }

    /** The file. */
    public Path file() {
        return file;
    }

    /** The tensor at fault, or null. */
    public String tensor() {
        return tensor;
    }
}
