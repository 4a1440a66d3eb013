package dev.doorbell.tier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class S3LocationTest {
    @Test
    void parse_bucketAndPrefix() {
        S3Location l = S3Location.parse("s3://doorbell-clips/site-a/uplinks/");
        assertEquals("doorbell-clips", l.bucket());
        assertEquals("site-a/uplinks", l.prefix());
        assertEquals("site-a/uplinks/x/segments/0000000001.seg", l.key("x/segments/0000000001.seg"));
        assertEquals("s3://doorbell-clips/site-a/uplinks", l.toString());
        assertEquals("", S3Location.parse("s3://doorbell-clips").prefix());
        assertEquals("seg", S3Location.parse("s3://doorbell-clips").key("seg"));
    }

    @Test
    void parse_refusesWhatIsNotALocation_namingTheValue() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> S3Location.parse("/var/lib/doorbell"));
        assertTrue(e.getMessage().contains("'/var/lib/doorbell'"), e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> S3Location.parse("s3://Bad_Bucket/p"))
                .getMessage()
                .contains("'Bad_Bucket'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> S3Location.parse("s3://bucket/a//b"))
                .getMessage()
                .contains("'a//b'"));
        assertThrows(IllegalArgumentException.class, () -> S3Location.parse("s3://bucket/a/../b"));
    }
}
