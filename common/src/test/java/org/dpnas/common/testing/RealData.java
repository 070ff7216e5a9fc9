package org.dpnas.common.testing;

import java.nio.file.Path;

/**
 * Where tests find the real data sets (CamVid, BCCD) that are never copied into the repository:
 * {@code <repository root>/../shared/data}. Surefire passes that path as the system property {@code
 * dpnas.shared.data} (from {@code maven.multiModuleProjectDirectory}); a test run from a module
 * directory without it resolves the same folder from the module's parent. A test that reads it is
 * tagged {@value #TAG} and skips with an assumption naming the path when the data is absent; {@link
 * RealDataSummary} reports how many did.
 */
public final class RealData {

    /** The JUnit tag of every test that reads the real data. */
    public static final String TAG = "real-data";

    private RealData() {}

    /** The shared data folder, resolved from the repository root; it may not exist. */
    public static Path dir() {
        String prop = System.getProperty("dpnas.shared.data");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        // surefire runs a module's tests in the module directory, one level below the root
        return Path.of("").toAbsolutePath().resolve("../../shared/data").normalize();
    }
}
