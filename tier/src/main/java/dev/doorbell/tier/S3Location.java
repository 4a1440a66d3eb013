package dev.doorbell.tier;

import java.util.regex.Pattern;

/**
 * A place in an S3 bucket, {@code s3://bucket/prefix}: where the shipper puts the stores of one or more uplinks and
 * where {@code open --store} reads them. The prefix has no leading or trailing slash and may be empty.
 */
public record S3Location(String bucket, String prefix) {
    public static final String SCHEME = "s3://";
    /** S3's bucket naming rules (3 to 63 lower-case letters, digits, dots and hyphens), which MinIO keeps too. */
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    private static final Pattern PREFIX_PART = Pattern.compile("[A-Za-z0-9!_.*'()-]+");

    public S3Location {
        if (!BUCKET.matcher(bucket).matches()) {
            throw new IllegalArgumentException("'" + bucket + "' is not a bucket name (3 to 63 of a-z, 0-9, '.', '-')");
        }
        if (!prefix.isEmpty()) {
            for (String part : prefix.split("/", -1)) {
                if (!PREFIX_PART.matcher(part).matches() || part.equals(".") || part.equals("..")) {
                    throw new IllegalArgumentException("'" + prefix + "' is not a key prefix: each part between"
                            + " slashes is one or more of A-Z, a-z, 0-9 and !_.*'()- (not . or ..)");
                }
            }
        }
    }

    public static boolean isS3(String text) {
        return text.startsWith(SCHEME);
    }

    /** {@code s3://bucket} or {@code s3://bucket/prefix} (one trailing slash allowed); IllegalArgumentException else. */
    public static S3Location parse(String text) {
        if (!isS3(text)) {
            throw new IllegalArgumentException("'" + text + "' is not an s3:// location (s3://bucket/prefix)");
        }
        String rest = text.substring(SCHEME.length());
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        int slash = rest.indexOf('/');
        return slash < 0
                ? new S3Location(rest, "")
                : new S3Location(rest.substring(0, slash), rest.substring(slash + 1));
    }

    /** The key of {@code relative} under the prefix. */
    public String key(String relative) {
        return prefix.isEmpty() ? relative : prefix + "/" + relative;
    }

    /** The location one folder down. */
    public S3Location resolve(String part) {
        return new S3Location(bucket, key(part));
    }

    @Override
    public String toString() {
        return SCHEME + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }
}
