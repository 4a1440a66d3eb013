package dev.doorbell.owner.identity;

import dev.doorbell.seal.v2.RecipientPublicKey;

/** Names of recipients (the format's rule): a name is always a safe file name, {@code viewers/NAME.pub}. */
public final class ViewerNames {
    public static final String RULE = RecipientPublicKey.NAME_RULE;

    private ViewerNames() {}

    public static String require(String name) {
        if (!RecipientPublicKey.isValidName(name)) {
            throw new IdentityException("invalid viewer name '" + name + "': a viewer name is " + RULE);
        }
        return name;
    }
}
