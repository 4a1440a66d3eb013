package dev.doorbell.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ShardTest {
    @Test
    void ranges_anyFleetAndShardCount_partitionTheIdsWithoutGapsOrOverlap() {
        for (int devices : new int[] {1, 7, 20, 1000, 10_001}) {
            for (int count = 1; count <= 9; count++) {
                int[] owner = new int[devices];
                java.util.Arrays.fill(owner, -1);
                for (int i = 0; i < count; i++) {
                    Shard s = new Shard(i, count);
                    for (int d = s.from(devices); d < s.to(devices); d++) {
                        assertEquals(-1, owner[d], "device " + d + " in two shards of " + count);
                        owner[d] = i;
                    }
                }
                for (int d = 0; d < devices; d++) {
                    assertEquals(true, owner[d] >= 0, "device " + d + " of " + devices + " in no shard of " + count);
                }
            }
        }
    }

    @Test
    void ranges_workersOfAShard_coverExactlyThatShard() {
        Shard parent = Shard.parse("1/3");
        int processes = 4;
        int devices = 1000;
        assertEquals(
                parent.from(devices), new Shard(parent.index() * processes, parent.count() * processes).from(devices));
        assertEquals(
                parent.to(devices),
                new Shard(parent.index() * processes + processes - 1, parent.count() * processes).to(devices));
    }

    @Test
    void parse_badShards_areRejectedWithTheRule() {
        assertThrows(IllegalArgumentException.class, () -> Shard.parse("3/3"));
        assertThrows(IllegalArgumentException.class, () -> Shard.parse("x/3"));
        assertThrows(IllegalArgumentException.class, () -> Shard.parse("2"));
        assertEquals(new Shard(2, 5), Shard.parse("2/5"));
    }
}
