package dev.doorbell.owner;

import dev.doorbell.owner.chain.ChainFinding;
import dev.doorbell.owner.chain.ChainedClip;
import dev.doorbell.seal.v2.VerifyingKey;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Turns the chain's MISSING gaps that retention explains into what they are (docs/FORMAT.md §17.4 and §6,
 * "Retention"): {@code DELETED} when requests kept in the stores, each verifying under the owner's key, cover every
 * position of the gap; {@code EXPIRED} when the uplink's ledger says its retention policy deleted the clip the gap's
 * successor names (the operator's statement, said as such); otherwise the gap stays {@code MISSING}, a failure, and
 * says when the ledger claims a request that does not verify. So the operator cannot fake the owner's consent.
 */
public final class RetentionVerdicts {
    private RetentionVerdicts() {}

    /** The owner's requests kept in {@code stores}, checked under {@code owner} (none without the owner's key). */
    public static List<ForgetRequest.Checked> requests(List<Path> stores, Optional<VerifyingKey> owner)
            throws IOException {
        List<ForgetRequest.Checked> all = new ArrayList<>();
        for (Path store : stores) {
            Path dir = store.resolve("retention").resolve("requests");
            if (!Files.isDirectory(dir)) {
                continue;
            }
            // File-name order, not the directory's, so that which request a DELETED line cites is the same on
            // every machine and in every reader (docs/FORMAT.md §6).
            List<Path> names = new ArrayList<>();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.req")) {
                files.forEach(names::add);
            }
            names.sort(Comparator.comparing(f -> f.getFileName().toString()));
            for (Path file : names) {
                all.add(
                        owner.isPresent()
                                ? ForgetRequest.check(Files.readAllBytes(file), owner.get())
                                : new ForgetRequest.Checked(null, "no owner key to check it with (owner.pub)"));
            }
        }
        return all;
    }

    /** {@code chains} with each MISSING gap retention explains rewritten; the rest as it was. */
    public static StoreChains.Report apply(
            StoreChains.Report chains, List<Path> stores, Optional<VerifyingKey> owner, long fromPosition)
            throws IOException {
        if (chains.findings().stream().noneMatch(f -> f.kind() == ChainFinding.Kind.MISSING)) {
            return chains;
        }
        List<RetentionLog> logs = new ArrayList<>();
        for (Path store : stores) {
            logs.add(RetentionLog.read(store));
        }
        List<ForgetRequest> valid = requests(stores, owner).stream()
                .filter(ForgetRequest.Checked::valid)
                .map(ForgetRequest.Checked::request)
                .toList();
        List<ChainFinding> findings = new ArrayList<>();
        for (ChainFinding f : chains.findings()) {
            findings.add(
                    f.kind() == ChainFinding.Kind.MISSING
                            ? explain(f, chains.results(), logs, valid, fromPosition)
                            : f);
        }
        return new StoreChains.Report(chains.results(), findings);
    }

    private static ChainFinding explain(
            ChainFinding f,
            List<ClipResult> results,
            List<RetentionLog> logs,
            List<ForgetRequest> requests,
            long fromPosition) {
        TreeMap<Long, ChainedClip> byPosition = new TreeMap<>();
        for (ClipResult r : results) {
            if (r.chain() != null && r.deviceId().equals(f.deviceId())) {
                byPosition.putIfAbsent(r.chain().position(), r.chain());
            }
        }
        ChainedClip after = byPosition.values().stream()
                .filter(c -> c.clipId() == f.clipId())
                .findFirst()
                .orElse(null);
        if (after == null) {
            return f;
        }
        Long below = byPosition.lowerKey(after.position());
        long first = below == null ? fromPosition : below + 1;
        long last = after.position() - 1;
        long named = after.link().getPrevClipId();
        ForgetRequest asked = null;
        boolean allCovered = first <= last;
        for (long p = first; p <= last && allCovered; p++) {
            long id = p == last ? named : 0;
            long position = p;
            ForgetRequest covering = requests.stream()
                    .filter(r -> r.deviceId().equals(f.deviceId()) && r.covers(position, id))
                    .findFirst()
                    .orElse(null);
            allCovered = covering != null;
            asked = asked == null ? covering : asked;
        }
        String gap = (last - first + 1) + " clip(s) at positions " + first + ".." + last + " before " + after.name();
        if (allCovered) {
            return new ChainFinding(
                    ChainFinding.Kind.DELETED,
                    f.deviceId(),
                    f.clipId(),
                    "DELETED " + gap + " (your signed request of " + asked.issued() + ")");
        }
        RetentionLog.Deletion claim = null;
        for (RetentionLog log : logs) {
            claim = claim == null ? log.deletion(f.deviceId(), named, last) : claim;
        }
        if (claim != null && claim.reason().equals("policy")) {
            return new ChainFinding(
                    ChainFinding.Kind.EXPIRED,
                    f.deviceId(),
                    f.clipId(),
                    "EXPIRED " + gap + " (the uplink's retention policy: " + claim.detail() + ", " + claim.time()
                            + "; operator's statement)");
        }
        if (claim != null) {
            return new ChainFinding(
                    f.kind(),
                    f.deviceId(),
                    f.clipId(),
                    f.line() + " (the store says an owner's request " + claim.detail() + " deleted it, but no request"
                            + " that verifies under your key covers it)");
        }
        return f;
    }
}
