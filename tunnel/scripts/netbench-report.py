"""Prints netbench.sh's tables from its result lines on stdin, one per mode:
mode load up up_cpu down down_cpu up4 up4_cpu down4 down4_cpu udp udp_loss rtt_idle rtt_loaded
(Mbit/s, CPU seconds per GB, ms; "-" where a figure does not apply)."""
import sys

FIELDS = "load up upc down downc up4 up4c down4 down4c udp loss idle loaded".split()
COLS = [("up", "up"), ("down", "down"), ("up4", "up x4"), ("down4", "down x4")]


def num(v):
    return None if v in ("-", "") else float(v)


def main():
    rows, order = {}, []
    for line in sys.stdin:
        f = line.split()
        if not f:
            continue
        order.append(f[0])
        rows[f[0]] = dict(zip(FIELDS, f[1:]))
    base, plain = rows.get("wggo"), rows.get("plain")

    def added(r, k):
        return num(r[k]) - num(plain[k]) if plain else num(r[k])

    def ratio(r, k, value=lambda r, k: num(r[k])):
        if base is None:
            return "-"
        a, b = value(r, k), value(base, k)
        return f"{a / b:.2f}" if a is not None and b else "-"

    print()
    print("Throughput (Mbit/s at the receiver) and CPU seconds per GB (both tunnel ends together):")
    print(f"{'mode':<10}" + "".join(f"{h:>9}{'cpu/GB':>8}" for _, h in COLS)
          + f"{'udp':>7}{'loss%':>7}  load avg")
    for m in order:
        r = rows[m]
        print(f"{m:<10}" + "".join(f"{r[k]:>9}{r[k + 'c']:>8}" for k, _ in COLS)
              + f"{r['udp']:>7}{r['loss']:>7}  {r['load']}")
    print()
    print("Ratios to upstream wireguard-go (wggo) in this run: throughput above 1 is better,"
          " added RTT and CPU per GB below 1:")
    print(f"{'mode':<10}" + "".join(f"{h:>9}" for _, h in COLS) + f"{'+rtt idle':>11}{'+rtt load':>11}"
          + "".join(f"{'cpu ' + h:>13}" for _, h in COLS))
    for m in order:
        r = rows[m]
        print(f"{m:<10}" + "".join(f"{ratio(r, k):>9}" for k, _ in COLS)
              + f"{ratio(r, 'idle', added):>11}{ratio(r, 'loaded', added):>11}"
              + "".join(f"{ratio(r, k + 'c'):>13}" for k, _ in COLS))
    print()
    print("RTT in ms (average of pings 20 ms apart), and what the tunnel adds over plain routing:")
    for m in order:
        r = rows[m]
        print(f"{m:<10} idle {num(r['idle']):.3f} (+{added(r, 'idle'):.3f})"
              f"   under one TCP stream {num(r['loaded']):.3f} (+{added(r, 'loaded'):.3f})")


if __name__ == "__main__":
    main()
