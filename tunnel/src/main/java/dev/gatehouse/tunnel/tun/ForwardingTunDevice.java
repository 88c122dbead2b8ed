package dev.gatehouse.tunnel.tun;

import java.io.IOException;

/**
 * A {@link TunDevice} that forwards every call to another one: extend it to count, gate or log
 * packets and override only what changes. Forwarding {@link #writeBatched} and {@link #flush} too
 * keeps the delegate's TCP coalescing working behind the decorator.
 */
public abstract class ForwardingTunDevice implements TunDevice {
  protected final TunDevice delegate;

  protected ForwardingTunDevice(TunDevice delegate) {
    this.delegate = delegate;
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public int mtu() {
    return delegate.mtu();
  }

  @Override
  public int read(byte[] buf, int off, int len, int timeoutMillis) throws IOException {
    return delegate.read(buf, off, len, timeoutMillis);
  }

  @Override
  public boolean awaitReadable(int timeoutMillis) throws IOException {
    return delegate.awaitReadable(timeoutMillis);
  }

  @Override
  public boolean holdsSegments() {
    return delegate.holdsSegments();
  }

  @Override
  public boolean readsPromptly() {
    return delegate.readsPromptly();
  }

  @Override
  public void write(byte[] buf, int off, int len) throws IOException {
    delegate.write(buf, off, len);
  }

  @Override
  public void writeBatched(byte[] buf, int off, int len) throws IOException {
    delegate.writeBatched(buf, off, len);
  }

  @Override
  public void flush() throws IOException {
    delegate.flush();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
