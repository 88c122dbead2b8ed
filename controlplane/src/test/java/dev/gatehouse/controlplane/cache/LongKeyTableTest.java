package dev.gatehouse.controlplane.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The open-addressing table behaves like a map from keys to stable rows. */
class LongKeyTableTest {

  @Property(tries = 300)
  void behavesLikeAMap(@ForAll @Size(max = 400) List<@IntRange(min = 0, max = 60) Integer> ops) {
    LongKeyTable table = new LongKeyTable(4, 2);
    Map<Integer, Integer> model = new HashMap<>();
    for (int i = 0; i < ops.size(); i++) {
      int key = ops.get(i);
      // small key space with colliding high parts; odd positions remove, even positions add
      if (i % 3 == 2) {
        int row = table.find(key, key >> 2, 7, -key);
        assertThat(row).isEqualTo(model.getOrDefault(key, -1));
        if (row >= 0) {
          table.remove(row);
          model.remove(key);
        }
      } else {
        int row = table.add(key, key >> 2, 7, -key);
        Integer previous = model.putIfAbsent(key, row);
        assertThat(row).isEqualTo(previous == null ? row : previous);
        assertThat(table.key(row, 0)).isEqualTo(key);
      }
      assertThat(table.size()).isEqualTo(model.size());
    }
    for (int key = 0; key <= 60; key++) {
      assertThat(table.find(key, key >> 2, 7, -key)).isEqualTo(model.getOrDefault(key, -1));
    }
  }
}
