package dev.doorbell.fleet.load;

/**
 * Something done to a running load while its senders send: a reconnect storm, churn, progress lines. {@link
 * LoadGenerator} calls {@link #during} once, on a thread of its own, after every device is welcomed and just before
 * sending starts; the hook must return by {@link LiveLoad#endNanos()} (it is interrupted 10 s after the senders
 * stop, and what it measured until then stays valid).
 */
@FunctionalInterface
public interface LoadHook {
  LoadHook NONE = live -> {};

  void during(LiveLoad live) throws InterruptedException;
}
