package org.dpnas.common.launch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsers for what {@code sbatch --parsable}, {@code squeue}, {@code scontrol show job} and {@code
 * sacct} print (Slurm 22.05 and 23.x). Job ids of array tasks are written {@code ARRAYID_TASK};
 * pending tasks that Slurm still groups ({@code 123_[2-5%2]}) are expanded.
 */
public final class SlurmOutput {

    /** {@code squeue} format of {@link #squeue}: id, state, reason. */
    public static final String SQUEUE_FORMAT = "%i|%T|%r";

    /** {@code sacct} fields of {@link #sacct}. */
    public static final String SACCT_FIELDS = "JobID,State,ExitCode";

    private static final Pattern SBATCH = Pattern.compile("(\\d+)(;\\S*)?");
    private static final Pattern KEY = Pattern.compile("(?:^|\\s)([A-Za-z][A-Za-z0-9_:/]*)=");
    private static final Pattern ARRAY_ID = Pattern.compile("(\\d+)_(\\[[^\\]]*\\]|\\d+)");

    private SlurmOutput() {}

    /**
     * The job id printed by {@code sbatch --parsable} ({@code 123} or {@code 123;cluster}).
     *
     * @throws IllegalArgumentException when the text holds no job id
     */
    public static String sbatchJobId(String out) {
        for (String line : out.strip().split("\n")) {
            Matcher m = SBATCH.matcher(line.strip());
            if (m.matches()) {
                return m.group(1);
            }
        }
        throw new IllegalArgumentException("sbatch printed no job id: '" + out.strip() + "'");
    }

    /**
     * Parses {@code squeue -h -r -o "%i|%T|%r"}. A header line (without {@code -h}) and blank lines
     * are skipped.
     *
     * @return job id to status, in output order
     */
    public static Map<String, JobStatus> squeue(String out) {
        Map<String, JobStatus> jobs = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.strip().split("\\|", -1);
            if (f.length < 2 || f[0].equals("JOBID") || f[0].isEmpty()) {
                continue;
            }
            JobStatus s = JobStatus.ofSlurm(f[1], "", f.length > 2 ? f[2] : "");
            for (String id : expand(f[0])) {
                jobs.put(id, s);
            }
        }
        return jobs;
    }

    /**
     * Parses {@code scontrol show job} in either layout: one record per line ({@code -o}) or the
     * default multi-line records. Array tasks are named {@code ArrayJobId_ArrayTaskId}.
     *
     * @return job id to status, in output order
     */
    public static Map<String, JobStatus> scontrol(String out) {
        Map<String, JobStatus> jobs = new LinkedHashMap<>();
        for (Map<String, String> r : scontrolRecords(out)) {
            String state = r.get("JobState");
            if (state == null) {
                continue;
            }
            JobStatus s =
                    JobStatus.ofSlurm(
                            state, r.getOrDefault("ExitCode", ""), r.getOrDefault("Reason", ""));
            String task = r.get("ArrayTaskId");
            String array = r.get("ArrayJobId");
            List<String> ids =
                    task != null && array != null
                            ? expand(array + "_[" + task + "]")
                            : List.of(r.getOrDefault("JobId", ""));
            for (String id : ids) {
                jobs.put(id, s);
            }
        }
        return jobs;
    }

    /**
     * Splits {@code scontrol show job} output into records of {@code Key=Value} pairs. Values may
     * contain spaces (a comment, a path): a value runs up to the next {@code Key=} that follows a
     * blank.
     */
    public static List<Map<String, String>> scontrolRecords(String out) {
        List<Map<String, String>> records = new ArrayList<>();
        StringBuilder current = null;
        List<String> texts = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("JobId=")) {
                if (current != null) {
                    texts.add(current.toString());
                }
                current = new StringBuilder(line.strip());
            } else if (current != null && !line.isBlank()) {
                current.append(' ').append(line.strip());
            }
        }
        if (current != null) {
            texts.add(current.toString());
        }
        for (String text : texts) {
            Map<String, String> r = new LinkedHashMap<>();
            Matcher m = KEY.matcher(text);
            List<int[]> keys = new ArrayList<>();
            while (m.find()) {
                keys.add(new int[] {m.start(1), m.end(1), m.end()});
            }
            for (int i = 0; i < keys.size(); i++) {
                int[] k = keys.get(i);
                int end = i + 1 < keys.size() ? keys.get(i + 1)[0] : text.length();
                r.putIfAbsent(text.substring(k[0], k[1]), text.substring(k[2], end).strip());
            }
            records.add(r);
        }
        return records;
    }

    /**
     * Parses {@code sacct -n -P -X -o JobID,State,ExitCode}; job steps ({@code 123.batch}) are
     * skipped.
     *
     * @return job id to status, in output order
     */
    public static Map<String, JobStatus> sacct(String out) {
        Map<String, JobStatus> jobs = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.strip().split("\\|", -1);
            if (f.length < 2 || f[0].isEmpty() || f[0].equals("JobID") || f[0].contains(".")) {
                continue;
            }
            JobStatus s = JobStatus.ofSlurm(f[1], f.length > 2 ? f[2] : "", "");
            for (String id : expand(f[0])) {
                jobs.put(id, s);
            }
        }
        return jobs;
    }

    /**
     * Expands an array job id with a task list, {@code 123_[0-3,7%2]}, into {@code 123_0} ...
     * {@code 123_7}; other ids are returned as they are.
     */
    public static List<String> expand(String id) {
        Matcher m = ARRAY_ID.matcher(id.strip());
        if (!m.matches() || !m.group(2).startsWith("[")) {
            return List.of(id.strip());
        }
        String base = m.group(1);
        String list = m.group(2).substring(1, m.group(2).length() - 1);
        int pct = list.indexOf('%');
        if (pct >= 0) {
            list = list.substring(0, pct);
        }
        List<String> ids = new ArrayList<>();
        for (String part : list.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String range = part;
            int step = 1;
            int colon = range.indexOf(':');
            if (colon >= 0) {
                step = Integer.parseInt(range.substring(colon + 1));
                range = range.substring(0, colon);
            }
            int dash = range.indexOf('-');
            int lo = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
            int hi = dash < 0 ? lo : Integer.parseInt(range.substring(dash + 1));
            for (int t = lo; t <= hi; t += step) {
                ids.add(base + "_" + t);
            }
        }
        return ids;
    }

    /** The array job id of a task id ({@code 123} for {@code 123_4}), or the id itself. */
    public static String arrayJobId(String id) {
        int u = id.indexOf('_');
        return u < 0 ? id : id.substring(0, u);
    }
}
