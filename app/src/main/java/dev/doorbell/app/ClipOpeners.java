package dev.doorbell.app;

import dev.doorbell.owner.StoreOpener;
import dev.doorbell.owner.identity.IdentityException;
import dev.doorbell.owner.identity.OwnerDirectory;
import dev.doorbell.owner.identity.ShareFile;
import dev.doorbell.owner.identity.ViewerDirectory;
import dev.doorbell.owner.keyring.OwnerKeyring;
import dev.doorbell.seal.v2.ClipOpenerV2;
import dev.doorbell.seal.v2.RecipientKeyPair;
import dev.doorbell.seal.v2.ShareRefused;
import dev.doorbell.seal.v2.VerifyingKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import javax.security.auth.DestroyFailedException;
import javax.security.auth.Destroyable;

/**
 * What {@code open} opens with: the v1 keyring, and for v2 an owner's or viewer's identity or a share with the third
 * party's key. Closing it destroys the private keys it loaded.
 */
final class ClipOpeners implements AutoCloseable {
    private final OwnerKeyring keyring;
    private final ClipOpenerV2 openerV2;
    private final ShareFile share;
    private final Destroyable keys;

    private ClipOpeners(OwnerKeyring keyring, ClipOpenerV2 openerV2, ShareFile share, Destroyable keys) {
        this.keyring = keyring;
        this.openerV2 = openerV2;
        this.share = share;
        this.keys = keys;
    }

    static ClipOpeners load(Path keyringDir, Path identityDir, Path shareFile) {
        OwnerKeyring keyring = keyringDir == null ? null : OwnerKeyring.open(keyringDir);
        if (identityDir == null) {
            return new ClipOpeners(keyring, null, null, null);
        }
        if (shareFile != null) {
            ShareFile share = ShareFile.read(shareFile);
            RecipientKeyPair key = ViewerDirectory.loadKey(identityDir);
            Optional<VerifyingKey> known = ViewerDirectory.ownerKeyIfKnown(identityDir);
            if (known.isPresent() && !Arrays.equals(known.get().bytes(), share.ownerSigningKey())) {
                key.destroy();
                throw new IdentityException(shareFile + " is signed by another owner than the one in "
                        + identityDir.resolve(ViewerDirectory.OWNER_PUBLIC_FILE));
            }
            try {
                return new ClipOpeners(keyring, ClipOpenerV2.forShare(share.signedShare(), key), share, key);
            } catch (ShareRefused e) {
                key.destroy();
                throw new IdentityException(shareFile + ": " + e.getMessage(), e);
            }
        }
        if (Files.exists(identityDir.resolve(OwnerDirectory.SECRET_FILE))) {
            OwnerDirectory owner = OwnerDirectory.load(identityDir);
            return new ClipOpeners(keyring, new ClipOpenerV2(owner), null, owner);
        }
        if (Files.exists(identityDir.resolve(ViewerDirectory.KEY_FILE))) {
            ViewerDirectory viewer = ViewerDirectory.load(identityDir);
            return new ClipOpeners(keyring, new ClipOpenerV2(viewer), null, viewer);
        }
        throw new IdentityException("--identity " + identityDir + " is neither an owner directory ("
                + OwnerDirectory.SECRET_FILE + ") nor a viewer directory (" + ViewerDirectory.KEY_FILE + ")");
    }

    StoreOpener storeOpener() {
        return new StoreOpener(keyring, openerV2);
    }

    /** The share being opened, or null. */
    ShareFile share() {
        return share;
    }

    @Override
    public void close() throws DestroyFailedException {
        if (keys != null) {
            keys.destroy();
        }
    }
}
