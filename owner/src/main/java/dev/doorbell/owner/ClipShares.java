package dev.doorbell.owner;

import dev.doorbell.owner.identity.IdentityException;
import dev.doorbell.owner.identity.OwnerDirectory;
import dev.doorbell.owner.identity.ShareFile;
import dev.doorbell.seal.v2.HeaderFormat;
import dev.doorbell.seal.v2.RecipientPublicKey;
import dev.doorbell.seal.v2.Shares;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;

/**
 * {@code doorbell owner share}: the owner unwraps one clip's key (after every check of the header that opening does)
 * and wraps it again to a third party's key, signed by the owner, bound to that clip's header by its SHA-256. The
 * share opens that clip and no other: not another clip of the same device, not a clip whose header was altered.
 */
public final class ClipShares {
    private ClipShares() {}

    /** Writes the share of clip ({@code deviceId}, {@code clipId}) of {@code snapshot} for {@code to} into {@code out}. */
    public static ShareFile share(
            OwnerDirectory owner,
            StoreSnapshot snapshot,
            String deviceId,
            long clipId,
            RecipientPublicKey to,
            Path out,
            long nowUnixMs,
            SecureRandom random) {
        String name = String.format("%016x", clipId);
        List<StoredClip> found = snapshot.clips().stream()
                .filter(c -> c.deviceId().equals(deviceId) && c.clipId() == clipId)
                .toList();
        if (found.isEmpty()) {
            throw new IdentityException("no clip " + name + " of device " + deviceId + " in the store ("
                    + snapshot.clips().size() + " clips)");
        }
        StoredClip clip = found.get(0);
        if (clip.header() == null || clip.headerProblem() != null) {
            throw new IdentityException("clip " + name + " of device " + deviceId + " has no usable header ("
                    + (clip.headerProblem() == null ? "none stored" : clip.headerProblem()) + "); nothing to share");
        }
        int version = HeaderFormat.version(clip.header());
        if (version != HeaderFormat.V2 && version != HeaderFormat.V3) {
            throw new IdentityException("clip " + name + " of device " + deviceId + " is not a format v2 or v3 clip;"
                    + " only those can be shared (a v1 clip opens only with the keyring's root key of the device)");
        }
        byte[] signed;
        try {
            // Every check of the header that opening does (the device's certificate and signature, the wrapped key,
            // the commitment) comes first: a clip the owner would not accept is not shared.
            signed = Shares.issue(owner.signingKey(), owner, deviceId, clipId, clip.header(), to, nowUnixMs, random);
        } catch (IllegalArgumentException e) {
            throw new IdentityException(e.getMessage(), e);
        }
        ShareFile.write(out, deviceId, clipId, signed);
        return ShareFile.read(out);
    }
}
