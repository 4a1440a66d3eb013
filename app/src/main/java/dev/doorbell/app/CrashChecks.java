package dev.doorbell.app;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.doorbell.owner.ClipResult;
import dev.doorbell.owner.StoreChains;
import dev.doorbell.owner.StoreDirectoryReader;
import dev.doorbell.owner.StoreSnapshot;
import dev.doorbell.owner.StoredClip;
import dev.doorbell.owner.chain.ChainFinding;
import dev.doorbell.proto.DeviceFiles;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.proto.v1.SignedRecipientList;
import dev.doorbell.proto.v1.WrappedKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What must hold for one device after any crash of its process (docs/FIRMWARE.md, "Crash safety"), checked on the
 * owner's side of a store: no sealing value used twice, no chain position used twice or gone back, every
 * acknowledged frame stored, every clip OK or TRUNCATED (the one a crash interrupted) and never MISSING. The device's
 * own chain.state, when it keeps one, must never fall behind what it sent or what it said before.
 */
final class CrashChecks {
    private static final HexFormat HEX = HexFormat.of();
    private static final Pattern POSITION = Pattern.compile("(?m)^position: ([0-9]{1,19})$");
    private static final Pattern ACKNOWLEDGED = Pattern.compile("(?m)^acknowledged: ([0-9]{1,10})$");
    private static final Pattern CLIP = Pattern.compile("(?m)^clip: ([0-9a-f]{16})$");

    private final Path store;
    private final String deviceId;
    private final ClipOpeners openers;
    private final Path chainState;
    private final Path scratch;
    private static final Pattern TEMPORARY = Pattern.compile(
            "\\.(chain\\.state|recipients\\.list|signing\\.key|owner\\.pub|device-key\\.cert)" + "\\.[0-9]+\\.tmp");

    private long highestDurablePosition;
    private long highestListVersion;
    private long listVersion;
    /** The temporary files of interrupted updates at the previous check: a restart since must have deleted them. */
    private Set<String> temporaries = Set.of();

    /**
     * @param chainState the device's chain.state, or null for a device that keeps its state elsewhere (the checks of
     *     the store still apply)
     * @param scratch a folder for the opened clips of each check, emptied after it
     */
    CrashChecks(Path store, String deviceId, ClipOpeners openers, Path chainState, Path scratch) {
        this.store = store;
        this.deviceId = deviceId;
        this.openers = openers;
        this.chainState = chainState;
        this.scratch = scratch;
    }

    /** What the store and the device hold now, and each violation found (empty when every invariant holds). */
    Result check() throws IOException {
        StoreSnapshot snapshot = StoreDirectoryReader.read(store);
        List<String> violations = new ArrayList<>();
        List<StoredClip> clips = snapshot.clips().stream()
                .filter(c -> c.deviceId().equals(deviceId))
                .toList();
        uniqueSealingValues(clips, violations);
        listVersions(clips, violations);
        List<ClipResult> results;
        StoreChains.Report chains;
        try {
            results = openers.storeOpener().openAll(snapshot, deviceId, null, scratch, r -> {});
            chains = StoreChains.check(results, 1);
        } finally {
            deleteTree(scratch);
        }
        long truncated = 0;
        for (ClipResult r : chains.results()) {
            if (r.verdict().equals("TRUNCATED")) {
                truncated++;
            } else if (!r.ok()) {
                violations.add("clip " + r.clipName() + ": " + r.summary());
            }
        }
        long unsent = 0;
        long highestStored = 0;
        for (ChainFinding f : chains.findings()) {
            if (f.failure()) {
                violations.add(f.line());
            } else if (f.kind() == ChainFinding.Kind.UNSENT) {
                unsent++;
            }
        }
        for (ClipResult r : chains.results()) {
            if (r.chain() != null) {
                highestStored = Math.max(highestStored, r.chain().position());
            }
        }
        if (chainState != null) {
            recipientList(violations);
        }
        deviceState(chains.results(), highestStored, violations);
        leftovers(violations);
        return new Result(
                clips.size(), truncated, unsent, highestStored, highestDurablePosition, listVersion, violations);
    }

    /** What one check saw. */
    record Result(
            int clips,
            long truncated,
            long unsent,
            long highestStored,
            long durablePosition,
            long listVersion,
            List<String> violations) {
        boolean passed() {
            return violations.isEmpty();
        }

        String summary() {
            return clips + " clips (" + truncated + " TRUNCATED, " + unsent + " UNSENT), highest position stored "
                    + highestStored + ", device at " + durablePosition
                    + (listVersion == 0 ? "" : ", recipient list version " + Long.toUnsignedString(listVersion));
        }
    }

    /** A nonce prefix, v1 salt, key commitment or HPKE encapsulation seen twice is a reused key or nonce. */
    private static void uniqueSealingValues(List<StoredClip> clips, List<String> violations) {
        Map<String, String> seen = new HashMap<>();
        for (StoredClip clip : clips.stream()
                .sorted(Comparator.comparingLong(StoredClip::clipId))
                .toList()) {
            ClipHeader header;
            try {
                header = ClipHeader.parseFrom(
                        SignedClipHeader.parseFrom(clip.header()).getHeader());
            } catch (InvalidProtocolBufferException e) {
                violations.add("clip " + clip.clipName() + ": its header does not parse as a signed v3 header");
                continue;
            }
            unique(seen, clip, "nonce prefix", header.getNoncePrefix(), violations);
            unique(seen, clip, "salt", header.getSalt(), violations);
            unique(seen, clip, "key commitment", header.getKeyCommitment(), violations);
            for (WrappedKey wrapped : header.getWrappedKeysList()) {
                unique(seen, clip, "HPKE encapsulation", wrapped.getEnc(), violations);
            }
        }
    }

    private static void unique(
            Map<String, String> seen, StoredClip clip, String what, ByteString value, List<String> violations) {
        if (value.isEmpty()) {
            return;
        }
        String first = seen.putIfAbsent(what + ":" + HEX.formatHex(value.toByteArray()), clip.clipName());
        if (first != null) {
            violations.add("REUSED " + what + ": clips " + first + " and " + clip.clipName() + " have the same one");
        }
    }

    /**
     * chain.state names the newest clip the device started: never below a position the store holds (the device would
     * use it again), never below what it said at an earlier check (rolled back), and when that clip is stored it
     * holds every frame chain.state says was acknowledged.
     */
    private void deviceState(List<ClipResult> results, long highestStored, List<String> violations) throws IOException {
        if (chainState == null || !Files.exists(chainState)) {
            if (chainState != null && highestStored > 0) {
                violations.add("ROLLBACK: " + chainState + " is gone, but the store holds position " + highestStored);
            }
            return;
        }
        String text = Files.readString(chainState);
        OptionalLong position = number(POSITION, text);
        OptionalLong acknowledged = number(ACKNOWLEDGED, text);
        Matcher clip = CLIP.matcher(text);
        if (position.isEmpty() || acknowledged.isEmpty() || !clip.find()) {
            violations.add(chainState + " does not parse (position, clip, acknowledged)");
            return;
        }
        long p = position.getAsLong();
        if (p < highestStored) {
            violations.add("ROLLBACK: " + chainState + " is at position " + p + ", but the store holds position "
                    + highestStored + " (the next clip would use a position again)");
        }
        if (p < highestDurablePosition) {
            violations.add(
                    "ROLLBACK: " + chainState + " went back from position " + highestDurablePosition + " to " + p);
        }
        highestDurablePosition = Math.max(highestDurablePosition, p);
        String head = clip.group(1);
        for (ClipResult r : results) {
            if (r.clipName().equals(head) && r.verifiedFrames() < acknowledged.getAsLong()) {
                violations.add("clip " + head + ": chain.state says " + acknowledged.getAsLong()
                        + " frames were acknowledged, the store holds " + r.verifiedFrames());
            }
        }
    }

    /**
     * A clip is sealed for the list in use when it started: along the chain the version never goes down, or a list
     * the device had taken (a removed viewer gone) was rolled back.
     */
    private static void listVersions(List<StoredClip> clips, List<String> violations) {
        record Sealed(long position, long version, String name) {}
        List<Sealed> sealed = new ArrayList<>();
        for (StoredClip clip : clips) {
            try {
                ClipHeader header = ClipHeader.parseFrom(
                        SignedClipHeader.parseFrom(clip.header()).getHeader());
                sealed.add(
                        new Sealed(header.getChain().getPosition(), header.getRecipientListVersion(), clip.clipName()));
            } catch (InvalidProtocolBufferException e) {
                // reported by uniqueSealingValues
            }
        }
        sealed.sort(Comparator.comparingLong(Sealed::position));
        for (int i = 1; i < sealed.size(); i++) {
            Sealed before = sealed.get(i - 1);
            Sealed after = sealed.get(i);
            if (Long.compareUnsigned(after.version(), before.version()) < 0) {
                violations.add("ROLLBACK: clip " + after.name() + " (position " + after.position() + ") is sealed for"
                        + " recipient list version " + Long.toUnsignedString(after.version()) + ", below version "
                        + Long.toUnsignedString(before.version()) + " of clip " + before.name() + " (position "
                        + before.position() + ")");
            }
        }
    }

    /** The device's recipients.list: the version it holds never goes down from one check to the next. */
    private void recipientList(List<String> violations) throws IOException {
        Path file = chainState.resolveSibling(DeviceFiles.RECIPIENTS_LIST);
        if (!Files.exists(file)) {
            return;
        }
        long version;
        try {
            version = RecipientList.parseFrom(SignedRecipientList.parseFrom(Files.readAllBytes(file))
                            .getList())
                    .getVersion();
        } catch (InvalidProtocolBufferException e) {
            violations.add(file + " does not parse as a signed recipient list");
            return;
        }
        if (Long.compareUnsigned(version, highestListVersion) < 0) {
            violations.add("ROLLBACK: " + file + " went back from version " + Long.toUnsignedString(highestListVersion)
                    + " to " + Long.toUnsignedString(version));
        }
        highestListVersion = version;
        listVersion = version;
    }

    /** Called once per round, and every round restarts the device: a file seen at the previous check is a leak. */
    private void leftovers(List<String> violations) throws IOException {
        if (chainState == null) {
            return;
        }
        Set<String> now = new TreeSet<>();
        try (Stream<Path> list = Files.list(chainState.getParent())) {
            list.map(p -> p.getFileName().toString())
                    .filter(n -> TEMPORARY.matcher(n).matches())
                    .forEach(now::add);
        }
        for (String name : now) {
            if (temporaries.contains(name)) {
                violations.add("LEFTOVER: " + chainState.resolveSibling(name) + ", the temporary file of an update a"
                        + " crash interrupted, is still there after the device restarted");
            }
        }
        temporaries = now;
    }

    private static OptionalLong number(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        return m.find() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
