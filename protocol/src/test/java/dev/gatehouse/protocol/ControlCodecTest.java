package dev.gatehouse.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ControlCodecTest {

  private final ControlCodec codec = new ControlCodec();

  @Test
  void everyMessageRoundTripsInItsDirection() {
    for (Envelope<?> e : Samples.all()) {
      String json = codec.encode(e);
      Decoded<?> d = codec.decode(json, Samples.directionOf(e.payload()));
      assertThat(d).as(json).isInstanceOf(Decoded.Ok.class);
      assertThat(((Decoded.Ok<?>) d).envelope()).as(json).isEqualTo(e);
    }
  }

  @Test
  void wireNamesAreSnakeCaseAndEnvelopeHasVersionEventRef() {
    String json =
        codec.encode(Envelope.of("7", new ClientInbound.CreateFlow(Samples.A, List.of(Samples.B))));
    assertThat(json)
        .isEqualTo(
            "{\"v\":1,\"event\":\"create_flow\",\"ref\":\"7\",\"payload\":{\"resource_id\":\""
                + Samples.A
                + "\",\"connected_gateway_ids\":[\""
                + Samples.B
                + "\"]}}");
    String init =
        codec.encode(
            Envelope.of(
                null,
                new ClientOutbound.Init(
                    Samples.A, List.of(), new InterfaceAddresses("100.64.0.1", "fd00::1"))));
    assertThat(init).contains("\"interface\":{\"ipv4\":\"100.64.0.1\"").doesNotContain("ref");
  }

  @Test
  void initCarriesRelaysAndAnInitWithoutThemHasNone() {
    Relay relay =
        new Relay(
            "relay-0", Relay.TURN, "203.0.113.7:3478", "1900000000:c2FsdA", "pw", 1_900_000_000L);
    String withRelays =
        codec.encode(
            Envelope.of(
                null,
                new ClientOutbound.Init(
                    Samples.A,
                    List.of(),
                    new InterfaceAddresses("100.64.0.1", "fd00::1"),
                    List.of(relay))));
    assertThat(withRelays)
        .contains(
            "\"relays\":[{\"id\":\"relay-0\",\"type\":\"turn\",\"addr\":\"203.0.113.7:3478\","
                + "\"username\":\"1900000000:c2FsdA\",\"password\":\"pw\","
                + "\"expires_at\":1900000000}]");

    String older =
        "{\"v\":1,\"event\":\"init\",\"payload\":{\"client_id\":\""
            + Samples.A
            + "\",\"resources\":[],\"interface\":{\"ipv4\":\"100.64.0.1\",\"ipv6\":\"fd00::1\"}}}";
    Decoded<ClientOutbound> d = codec.decode(older, Direction.CLIENT_OUTBOUND);
    assertThat(d).isInstanceOf(Decoded.Ok.class);
    var init = (ClientOutbound.Init) ((Decoded.Ok<ClientOutbound>) d).envelope().payload();
    assertThat(init.relays()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "not json|malformed_json|",
        "[1,2]|not_an_envelope|",
        "{\"v\":1}|not_an_envelope|",
        "{\"event\":\"create_flow\",\"ref\":\"3\"}|not_an_envelope|3",
        "{\"v\":99,\"event\":\"create_flow\",\"ref\":\"4\"}|unsupported_version|4",
        "{\"v\":1,\"event\":\"flow_authorized\",\"ref\":\"5\",\"payload\":{\"ref\":\"x\"}}|unknown_event|5",
        "{\"v\":1,\"event\":\"create_flow\",\"ref\":\"6\",\"payload\":{}}|invalid_payload|6",
        "{\"v\":1,\"event\":\"create_flow\",\"ref\":\"6\",\"payload\":{\"resource_id\":\"nope\"}}|invalid_payload|6",
        "{\"v\":1,\"event\":\"create_flow\",\"payload\":[]}|invalid_payload|",
        "{\"v\":1,\"event\":\"create_flow\",\"payload\":{\"resource_id\":\"00000000-0000-0000-0000-00000000000a\"}} x|malformed_json|",
      })
  void badFramesGiveTypedErrors(String frame, String reason, String ref) {
    Decoded<ClientInbound> d = codec.decode(frame, Direction.CLIENT_INBOUND);
    assertThat(d).isInstanceOf(Decoded.Failed.class);
    DecodeError e = ((Decoded.Failed<ClientInbound>) d).error();
    assertThat(e.reason()).isEqualTo(reason);
    assertThat(e.ref()).isEqualTo(ref);
    assertThat(e.detail()).isNotBlank();
  }

  @Test
  void missingFieldIsNamedInTheDetail() {
    Decoded<ClientInbound> d =
        codec.decode(
            "{\"v\":1,\"event\":\"create_flow\",\"payload\":{}}", Direction.CLIENT_INBOUND);
    assertThat(((Decoded.Failed<ClientInbound>) d).error().detail()).contains("resource_id");
  }

  @Test
  void oversizedAndDeeplyNestedFramesAreRefused() {
    String big = "{\"v\":1,\"event\":\"x\",\"pad\":\"" + "a".repeat(70_000) + "\"}";
    assertThat(((Decoded.Failed<?>) codec.decode(big, Direction.CLIENT_INBOUND)).error().reason())
        .isEqualTo(DecodeError.TOO_LARGE);
    String deep = "[".repeat(5_000) + "]".repeat(5_000);
    assertThat(((Decoded.Failed<?>) codec.decode(deep, Direction.CLIENT_INBOUND)).error().reason())
        .isEqualTo(DecodeError.MALFORMED_JSON);
  }

  @Test
  void unknownPayloadFieldsAreIgnored() {
    Decoded<GatewayInbound> d =
        codec.decode(
            "{\"v\":1,\"event\":\"flow_authorized\",\"payload\":{\"ref\":\"r\",\"future\":[1]}}",
            Direction.GATEWAY_INBOUND);
    assertThat(d)
        .isEqualTo(new Decoded.Ok<>(Envelope.of(null, new GatewayInbound.FlowAuthorized("r"))));
  }

  @Test
  void domainIsOptionalAndOnlySentWhenPresent() {
    String plain =
        codec.encode(Envelope.of("1", new ClientInbound.CreateFlow(Samples.A, List.of())));
    assertThat(plain).doesNotContain("domain");
    String dns =
        codec.encode(
            Envelope.of("1", new ClientInbound.CreateFlow(Samples.A, List.of(), Samples.DOMAIN)));
    assertThat(dns)
        .contains("\"domain\":{\"name\":\"web.svc.test\",\"proxy_ips\":[\"100.96.0.1\"]}");
    // An older gateway or API node ignores the field; a newer one reads it when present.
    Decoded<GatewayOutbound> old =
        codec.decode(
            codec.encode(
                Envelope.of(
                    null,
                    Samples.all().stream()
                        .map(Envelope::payload)
                        .filter(GatewayOutbound.AuthorizeFlow.class::isInstance)
                        .findFirst()
                        .orElseThrow())),
            Direction.GATEWAY_OUTBOUND);
    assertThat(
            ((GatewayOutbound.AuthorizeFlow)
                    ((Decoded.Ok<GatewayOutbound>) old).envelope().payload())
                .domain())
        .isNull();
    String failed =
        codec.encode(
            Envelope.of(
                "1",
                new ClientOutbound.FlowCreationFailed(
                    Samples.A, ClientOutbound.FlowCreationFailed.OFFLINE, List.of())));
    assertThat(failed).doesNotContain("detail");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"name\":\"\",\"proxy_ips\":[\"100.96.0.1\"]}",
        "{\"name\":\"a.b\",\"proxy_ips\":[]}",
        "{\"name\":\"a.b\"}",
        "{\"name\":\"a.b\",\"proxy_ips\":[null]}",
      })
  void aDomainWithoutNameOrProxyIpsIsInvalid(String domain) {
    Decoded<ClientInbound> d =
        codec.decode(
            "{\"v\":1,\"event\":\"create_flow\",\"ref\":\"1\",\"payload\":{\"resource_id\":\""
                + Samples.A
                + "\",\"domain\":"
                + domain
                + "}}",
            Direction.CLIENT_INBOUND);
    assertThat(((Decoded.Failed<ClientInbound>) d).error().reason())
        .isEqualTo(DecodeError.INVALID_PAYLOAD);
  }
}
