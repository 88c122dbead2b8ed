package dev.gatehouse.controlplane.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Entries survive replacement and compaction; offsets held by the owner stay valid. */
class TextArenaTest {

  @Property(tries = 300)
  void replacingEntriesAndCompactingKeepsEveryLiveText(
      @ForAll @Size(max = 300) List<@IntRange(min = 0, max = 19) Integer> slotsToRewrite) {
    TextArena arena = new TextArena(8);
    int[] offsets = new int[20];
    String[] model = new String[20];
    Arrays.fill(offsets, TextArena.NONE);
    int version = 0;
    for (int slot : slotsToRewrite) {
      String text = version % 7 == 0 ? null : "svc-" + slot + "-" + version + ".näme.example";
      version++;
      arena.remove(offsets[slot]);
      offsets[slot] = arena.add(text);
      model[slot] = text;
      if (arena.needsCompaction()) {
        arena.compact(offsets, offsets.length);
      }
      for (int i = 0; i < 20; i++) {
        assertThat(arena.get(offsets[i])).isEqualTo(model[i]);
        assertThat(arena.matches(offsets[i], model[i])).isTrue();
      }
    }
  }
}
