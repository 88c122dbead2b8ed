package dev.gatehouse.operator.resource;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A resource's address, parsed exactly: an IP, a CIDR, a DNS name or a DNS wildcard. The CRD's
 * schema checks the shape; this is the precise check, and the form the control plane stores.
 */
public sealed interface ResourceAddress {
  /** A single host address, IPv4 or IPv6, in canonical text. */
  record Ip(String address, boolean v6) implements ResourceAddress {}

  /** A network: canonical base address and prefix length. */
  record Cidr(String network, int prefix, boolean v6) implements ResourceAddress {}

  /** A DNS name or wildcard ({@code *.} one label, {@code **.} any depth), lowercase. */
  record Dns(String name) implements ResourceAddress {}

  Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$");

  /**
   * Parses an address.
   *
   * @throws IllegalArgumentException with a message naming what is wrong
   */
  static ResourceAddress parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("address is empty");
    }
    String value = text.trim();
    int slash = value.indexOf('/');
    if (slash >= 0) {
      return parseCidr(value, slash);
    }
    if (looksLikeIp(value)) {
      byte[] bytes = IpText.parse(value);
      return new Ip(IpText.format(bytes), bytes.length == 16);
    }
    return parseDns(value);
  }

  private static Cidr parseCidr(String value, int slash) {
    byte[] bytes = IpText.parse(value.substring(0, slash));
    int max = bytes.length * 8;
    int prefix;
    try {
      prefix = Integer.parseInt(value.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("CIDR prefix of '" + value + "' is not a number");
    }
    if (prefix < 0 || prefix > max) {
      throw new IllegalArgumentException(
          "CIDR prefix of '" + value + "' must be between 0 and " + max);
    }
    byte[] network = IpText.mask(bytes, prefix);
    return new Cidr(IpText.format(network), prefix, bytes.length == 16);
  }

  private static boolean looksLikeIp(String value) {
    return value.contains(":") || value.chars().allMatch(c -> c == '.' || Character.isDigit(c));
  }

  private static Dns parseDns(String value) {
    String name = value.toLowerCase(Locale.ROOT);
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    if (name.length() > 253) {
      throw new IllegalArgumentException("DNS name '" + value + "' is longer than 253 characters");
    }
    String rest = name;
    if (rest.startsWith("**.")) {
      rest = rest.substring(3);
    } else if (rest.startsWith("*.")) {
      rest = rest.substring(2);
    }
    String[] labels = rest.split("\\.", -1);
    for (String label : labels) {
      if (!DNS_LABEL.matcher(label).matches()) {
        throw new IllegalArgumentException(
            "'"
                + value
                + "' is not an IP address, CIDR or DNS name: label '"
                + label
                + "' must be 1-63 letters, digits or hyphens, not starting or ending with a hyphen");
      }
    }
    if (Character.isDigit(labels[labels.length - 1].charAt(0))) {
      throw new IllegalArgumentException(
          "'"
              + value
              + "' is neither a valid IP address nor a DNS name (a top-level label"
              + " cannot start with a digit)");
    }
    return new Dns(name);
  }
}
