package dev.doorbell.uplink.store;

import java.util.concurrent.CompletableFuture;

/**
 * The store's answer to one write. ACCEPTED: queued, durable completes after fsync. DUPLICATE: identical bytes
 * already stored or queued, durable completes when the original is durable. Refusals: durable already completed;
 * detail is a human message. durable may complete exceptionally with StoreUnavailableException.
 */
public record Submission(Outcome outcome, String detail, CompletableFuture<Void> durable) {}
