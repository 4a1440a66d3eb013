package dev.doorbell.tier;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * How to reach an S3-compatible object store. Credentials always come from the AWS SDK's default chain (the
 * environment's {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY}, the {@code aws.accessKeyId} system
 * properties, {@code ~/.aws/credentials} with {@code AWS_PROFILE}, web identity, container and instance roles), never
 * from the command line, where {@code ps} would show them.
 *
 * @param endpoint the store's URL for MinIO, s3proxy, Ceph and the like (null: AWS's own endpoint for the region)
 * @param region the region; null takes the SDK's chain ({@code AWS_REGION}, the profile), or us-east-1 with an endpoint
 * @param pathStyle {@code http://host/bucket/key} instead of {@code http://bucket.host/key} (MinIO and s3proxy)
 */
public record S3Options(URI endpoint, String region, boolean pathStyle) {
    public static S3Options aws() {
        return new S3Options(null, null, false);
    }

    /**
     * A client with these options. The SDK's default request checksums are asked only where S3 requires them: several
     * S3-compatible servers refuse the newer trailing checksums, and the shipper checks each object itself (CRC32C
     * kept in its metadata, Content-MD5 on upload).
     */
    public S3Client client() {
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofSeconds(60)))
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .region(resolvedRegion())
                .forcePathStyle(pathStyle)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(c -> c.retryStrategy(RetryMode.STANDARD));
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder.build();
    }

    private Region resolvedRegion() {
        if (region != null) {
            return Region.of(region);
        }
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkClientException e) {
            if (endpoint != null) {
                // MinIO and s3proxy take any region in the signature; theirs is us-east-1 unless configured.
                return Region.US_EAST_1;
            }
            throw new IllegalArgumentException("no region for AWS S3: give --region or set AWS_REGION");
        }
    }
}
