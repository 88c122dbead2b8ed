package dev.gatehouse.operator;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.controlplane.pg.DatabaseConfig;
import dev.gatehouse.operator.inject.SidecarInjector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.zjsonpatch.JsonPatch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Small helpers several test packages share: SQL rows as strings, an injection as stored. */
public final class TestFixtures {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TestFixtures() {}

  /** The first column of every row of {@code sql}, as text. */
  public static List<String> rows(DatabaseConfig db, String sql, Object... params)
      throws SQLException {
    try (Connection c = db.connect();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      if (!ps.execute()) {
        return List.of();
      }
      List<String> out = new ArrayList<>();
      try (ResultSet rs = ps.getResultSet()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    }
  }

  /** The pod as the API server stores it after an injection decision's JSON Patch. */
  public static Pod injected(Pod pod, SidecarInjector.Decision decision) {
    var inject = (SidecarInjector.Decision.Inject) decision;
    return JSON.convertValue(
        JsonPatch.apply(JSON.valueToTree(inject.patch()), JSON.valueToTree(pod)), Pod.class);
  }
}
