package dev.doorbell.uplink.session;

import dev.doorbell.uplink.logging.RateLimitedLog;
import dev.doorbell.uplink.recipients.RecipientListRelay;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * All connections of one server, which session speaks for each device, and which devices wait out an error
 * backoff. One session per device: the window and the open-clip limit are per device, and two sessions writing the
 * same clip would race each other.
 */
public final class SessionRegistry {
    // How often a device connects is its own choice: a reconnect loop must not fill the log.
    private static final RateLimitedLog LOG = RateLimitedLog.of(SessionRegistry.class);

    private final ChannelGroup connections =
            new DefaultChannelGroup("device-connections", GlobalEventExecutor.INSTANCE);
    private final ConcurrentMap<String, DeviceSessionHandler> byDevice = new ConcurrentHashMap<>();
    private final ErrorBackoffs errorBackoffs = new ErrorBackoffs();
    private volatile RecipientListRelay recipientLists = RecipientListRelay.none();
    private final KeylessWatch keyless = new KeylessWatch();

    void track(Channel channel) {
        connections.add(channel);
    }

    /** Makes {@code session} the device's session; an older one of the same device is told SUPERSEDED and closed. */
    void register(String deviceId, DeviceSessionHandler session) {
        DeviceSessionHandler older = byDevice.put(deviceId, session);
        if (older != null && older != session) {
            LOG.info(deviceId, "device {} connected again; closing its older session", deviceId);
            older.supersede();
        }
    }

    void unregister(String deviceId, DeviceSessionHandler session) {
        byDevice.remove(deviceId, session);
    }

    /** The per-device history of public header values that keyless misuse flags compare against (per server). */
    KeylessWatch keyless() {
        return keyless;
    }

    /** Devices closed for too many errors, refused until their backoff is over (per server, not per session). */
    ErrorBackoffs errorBackoffs() {
        return errorBackoffs;
    }

    /** Where sessions look up the recipient lists published for their devices (none until the server sets it). */
    public void recipientLists(RecipientListRelay relay) {
        recipientLists = relay;
    }

    RecipientListRelay recipientLists() {
        return recipientLists;
    }

    public int connectionCount() {
        return connections.size();
    }

    public int sessionCount() {
        return byDevice.size();
    }

    /** Every open connection's session handler, including those still in the TLS or Hello stage. */
    public List<DeviceSessionHandler> sessions() {
        List<DeviceSessionHandler> out = new ArrayList<>();
        for (Channel channel : connections) {
            DeviceSessionHandler handler = channel.pipeline().get(DeviceSessionHandler.class);
            if (handler != null) {
                out.add(handler);
            }
        }
        return out;
    }

    public ChannelGroup connections() {
        return connections;
    }
}
