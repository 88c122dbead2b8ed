package dev.gatehouse.tunnel.wireguard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IndexTableTest {
  @Test
  void allocatesUniqueIndicesAndSurvivesChurn() {
    Random r = new Random(1);
    IndexTable t = new IndexTable(() -> r.nextInt(5000)); // force collisions
    Set<Integer> live = new HashSet<>();
    for (int round = 0; round < 20_000; round++) {
      if (live.size() < 1000 && (live.isEmpty() || r.nextBoolean())) {
        int i = t.allocate(null);
        assertThat(live.add(i)).as("index %d reused while live", i).isTrue();
      } else {
        Integer victim = live.iterator().next();
        t.remove(victim);
        live.remove(victim);
        assertThat(t.get(victim)).isNull();
      }
    }
    assertThat(t.size()).isEqualTo(live.size());
    for (int i : live) {
      assertThat(t.get(i)).isNotNull();
    }
  }
}
