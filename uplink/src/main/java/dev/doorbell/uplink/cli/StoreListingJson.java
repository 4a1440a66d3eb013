package dev.doorbell.uplink.cli;

import dev.doorbell.uplink.store.StoreFinding;
import dev.doorbell.uplink.store.StoreListing;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/** {@code store list --json}: one object, field names as in docs/OPERATIONS.md; times ISO-8601 UTC. */
final class StoreListingJson {
    private StoreListingJson() {}

    static String of(StoreListing.Listing l) {
        StringBuilder b = new StringBuilder("{");
        field(b, "store", str(l.dir().toString())).append(',');
        field(b, "version", Integer.toString(l.version())).append(',');
        field(b, "live", Boolean.toString(l.livePid() != -1)).append(',');
        field(b, "uplink_pid", l.livePid() == -1 ? "null" : Long.toString(l.livePid()))
                .append(',');
        field(b, "read_up_to", l.readUpTo() == null ? "null" : str(l.readUpTo()))
                .append(',');
        field(b, "devices", array(l.devices(), d -> {
                    StringBuilder o = new StringBuilder("{");
                    field(o, "device", str(d.deviceId())).append(',');
                    field(o, "clips", Integer.toString(d.clips())).append(',');
                    field(o, "closed", Integer.toString(d.closed())).append(',');
                    field(o, "open", Integer.toString(d.open())).append(',');
                    field(o, "damaged", Integer.toString(d.damaged())).append(',');
                    field(o, "frames", Long.toString(d.frames())).append(',');
                    field(o, "bytes", Long.toString(d.bytes())).append(',');
                    field(o, "first_arrival", d.clips() == 0 ? "null" : time(d.firstArrivalMs()))
                            .append(',');
                    field(o, "last_arrival", d.clips() == 0 ? "null" : time(d.lastArrivalMs()))
                            .append(',');
                    field(o, "deleted", Integer.toString(d.deleted()));
                    return o.append('}').toString();
                }))
                .append(',');
        field(b, "segments", array(l.segments(), s -> {
                    StringBuilder o = new StringBuilder("{");
                    field(o, "segment", Long.toString(s.number())).append(',');
                    field(o, "file", str(s.name())).append(',');
                    field(o, "bytes", Long.toString(s.bytes())).append(',');
                    field(o, "records", Long.toString(s.records())).append(',');
                    field(o, "retention", s.retention().isEmpty() ? "null" : str(s.retention()));
                    return o.append('}').toString();
                }))
                .append(',');
        StringBuilder totals = new StringBuilder("{");
        field(totals, "devices", Integer.toString(l.devices().size())).append(',');
        field(totals, "clips", Long.toString(l.clips())).append(',');
        field(totals, "frames", Long.toString(l.frames())).append(',');
        field(totals, "bytes", Long.toString(l.bytes())).append(',');
        field(totals, "segments", Integer.toString(l.segments().size())).append(',');
        field(totals, "segment_bytes", Long.toString(l.segmentBytes())).append(',');
        field(totals, "deleted_clips", Integer.toString(l.deletedClips())).append(',');
        field(totals, "deleted_records_left", Long.toString(l.deletedRecordsLeft()));
        field(b, "totals", totals.append('}').toString()).append(',');
        field(b, "findings", array(l.findings(), (StoreFinding f) -> {
            StringBuilder o = new StringBuilder("{");
            field(o, "kind", str(f.kind().label())).append(',');
            field(o, "damage", Boolean.toString(f.damage())).append(',');
            field(o, "message", str(f.message()));
            return o.append('}').toString();
        }));
        return b.append('}').toString();
    }

    private static StringBuilder field(StringBuilder b, String name, String json) {
        return b.append(str(name)).append(':').append(json);
    }

    private static <T> String array(List<T> items, Function<T, String> each) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < items.size(); i++) {
            b.append(i == 0 ? "" : ",").append(each.apply(items.get(i)));
        }
        return b.append(']').toString();
    }

    private static String time(long ms) {
        return str(Instant.ofEpochMilli(ms).toString());
    }

    static String str(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
