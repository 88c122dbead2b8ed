package dev.gatehouse.tunnel.sys;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeapSlicesTest {

  @Test
  void aSegmentStartsAtTheOffsetAndRunsToTheArraysEnd() {
    byte[] a = new byte[100];
    MemorySegment s = HeapSlices.current().at(a, 16);
    assertThat(s.byteSize()).isEqualTo(84);
    s.set(JAVA_BYTE, 0, (byte) 7);
    s.set(JAVA_BYTE, 83, (byte) 9);
    assertThat(a[16]).isEqualTo((byte) 7);
    assertThat(a[99]).isEqualTo((byte) 9);
  }

  @Test
  void theSameArrayAndOffsetGetTheSameSegmentAndOthersTheirOwn() {
    HeapSlices slices = HeapSlices.current();
    byte[] a = new byte[64];
    byte[] b = new byte[64];
    assertThat(slices.at(a, 16)).isSameAs(slices.at(a, 16));
    assertThat(slices.at(a, 32)).isNotSameAs(slices.at(a, 16));
    assertThat(slices.at(b, 16)).isNotSameAs(slices.at(a, 16));
    assertThat(slices.at(a, 32).byteSize()).isEqualTo(32);
  }

  @Test
  void beyondTheTablesSizeEveryAnswerIsStillRight() {
    HeapSlices slices = HeapSlices.current();
    List<byte[]> arrays = new ArrayList<>();
    for (int i = 0; i < 4 * HeapSlices.SIZE; i++) {
      arrays.add(new byte[40 + i % 7]);
    }
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < arrays.size(); i++) {
        byte[] a = arrays.get(i);
        int off = i % 5;
        MemorySegment s = slices.at(a, off);
        assertThat(s.byteSize()).isEqualTo(a.length - off);
        s.set(JAVA_BYTE, 0, (byte) (i + round));
        assertThat(a[off]).isEqualTo((byte) (i + round));
      }
    }
  }

  @Test
  void nativeSegmentsAreSlicedOnceAndKeptApartFromArrays() {
    HeapSlices slices = HeapSlices.current();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buffer = arena.allocate(1024);
      MemorySegment s = slices.at(buffer, 48);
      assertThat(s.byteSize()).isEqualTo(1024 - 48);
      assertThat(s.address()).isEqualTo(buffer.address() + 48);
      assertThat(slices.at(buffer, 48)).isSameAs(s);
      assertThat(slices.at(buffer, 64)).isNotSameAs(s);
      s.set(JAVA_BYTE, 0, (byte) 5);
      assertThat(buffer.get(JAVA_BYTE, 48)).isEqualTo((byte) 5);
    }
  }

  @Test
  void eachThreadHasItsOwnTable() throws InterruptedException {
    HeapSlices[] other = new HeapSlices[1];
    Thread t = Thread.ofPlatform().start(() -> other[0] = HeapSlices.current());
    t.join();
    assertThat(other[0]).isNotNull().isNotSameAs(HeapSlices.current());
  }
}
