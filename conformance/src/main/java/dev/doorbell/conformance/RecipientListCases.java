package dev.doorbell.conformance;

import static dev.doorbell.conformance.CaseRun.hello;

import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.proto.v1.RecipientListResult.Status;
import dev.doorbell.seal.v2.RecipientListRefused;
import dev.doorbell.seal.v2.RecipientLists;
import java.util.List;

/**
 * Cases about recipient lists (format v2): the uplink relays the owner-signed list it holds for a device after
 * Welcome when Hello says an older version, exactly as the owner signed it, and takes every RecipientListResult
 * without an Error. They need a list published on the uplink for the suite's device ({@code scripts/uplink
 * publish-recipients --data DIR OWNER/lists/conformance-1.list}); without one the first case says so.
 */
final class RecipientListCases {
    private RecipientListCases() {}

    static List<ConformanceCase> all() {
        return List.of(
                new ConformanceCase(
                        "recipient-list-relayed",
                        "Hello saying recipient list version 0; RecipientListResult ACCEPTED for the list relayed",
                        "Welcome, then RecipientListUpdate with the owner's signed list for the device, byte for byte;"
                                + " no Error after the result",
                        r -> {
                            RawSession s = r.connect(r.device(), "device");
                            s.send(hello(r.device().id(), List.of(1), List.of(), 0));
                            r.expect.welcome(s, r.device().id());
                            RecipientList list = relayedList(r, s, 0);
                            s.send(CaseRun.recipientListResult(list.getVersion(), Status.ACCEPTED, ""));
                            r.expect.alive(s, 0x11);
                        }),
                new ConformanceCase(
                        "recipient-list-held",
                        "Hello saying version 0, the list relayed; then a new session whose Hello says that version",
                        "no RecipientListUpdate in the second session: its first answer after Welcome is the Pong",
                        r -> {
                            RawSession first = r.connect(r.device(), "first");
                            first.send(hello(r.device().id(), List.of(1), List.of(), 0));
                            r.expect.welcome(first, r.device().id());
                            long version = relayedList(r, first, 0).getVersion();
                            first.close();
                            RawSession second = r.connect(r.device(), "second");
                            second.send(hello(r.device().id(), List.of(1), List.of(), version));
                            r.expect.welcome(second, r.device().id());
                            r.expect.alive(second, 0x12);
                        }),
                new ConformanceCase(
                        "recipient-list-refused",
                        "Hello saying version 0; a RecipientListResult of each refusal for the list relayed",
                        "no Error for any of them; the session goes on",
                        r -> {
                            RawSession s = r.connect(r.device(), "device");
                            s.send(hello(r.device().id(), List.of(1), List.of(), 0));
                            r.expect.welcome(s, r.device().id());
                            long version = relayedList(r, s, 0).getVersion();
                            for (Status refusal : List.of(
                                    Status.REFUSED_SIGNATURE,
                                    Status.REFUSED_DEVICE,
                                    Status.REFUSED_VERSION,
                                    Status.REFUSED_MALFORMED)) {
                                s.send(CaseRun.recipientListResult(version, refusal, "conformance: " + refusal));
                            }
                            r.expect.alive(s, 0x13);
                        }));
    }

    /**
     * The next message must be a RecipientListUpdate whose list the device's owner signed for this device, with a
     * version above {@code held}: the suite checks the signature as the device does, so an uplink that alters a byte
     * fails here.
     */
    private static RecipientList relayedList(CaseRun r, RawSession s, long held) throws Exception {
        byte[] signed;
        try {
            signed = r.expect.recipientListUpdate(s);
        } catch (CaseFailure e) {
            throw new CaseFailure(e.getMessage() + " (is a list published for "
                    + r.device().id() + "? `scripts/uplink " + "publish-recipients --data DIR OWNER/lists/"
                    + r.device().id() + ".list`)");
        }
        try {
            return RecipientLists.verify(
                    r.device().paired().ownerKey(), r.device().id(), held, signed);
        } catch (RecipientListRefused e) {
            throw new CaseFailure("the relayed list is not the owner's list for "
                    + r.device().id() + " (" + e.status() + "): " + e.getMessage());
        }
    }
}
