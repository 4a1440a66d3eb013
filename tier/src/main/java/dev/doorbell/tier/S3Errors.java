package dev.doorbell.tier;

import software.amazon.awssdk.core.exception.SdkException;

/** One line for an S3 failure that a person can act on: the SDK's own messages list every provider it tried. */
public final class S3Errors {
    private S3Errors() {}

    public static String describe(SdkException e) {
        String message = String.valueOf(e.getMessage());
        if (message.startsWith("Unable to load credentials")) {
            return "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run with"
                    + " a role (docs/OPERATIONS.md, \"Long-term tier on S3\")";
        }
        return message;
    }
}
