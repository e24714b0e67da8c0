package io.dcloud.cli.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** Why a roll waits, from the service as GET /services/{name} answers it. */
class ServiceRolloutTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode rolling(int surge, String status, String reason) throws Exception {
    return JSON.readTree("""
        {"version": 2, "desiredReplicas": 1, "surge": %d, "replicas": [
          {"id": "old", "version": 1, "ready": true, "status": "RUNNING"},
          {"id": "new", "version": 2, "ready": false, "status": "%s", "reason": %s}]}"""
        .formatted(surge, status, reason == null ? "null" : JSON.writeValueAsString(reason)));
  }

  @Test
  void aReplicaNotReadySaysWhyAndARollWithoutRoomForItsSurgeSaysWhatElseItCanDo() throws Exception {
    String noRoom = "no node has room now: not enough free cpu (asks for 0.5 cores) on vm";
    assertThat(ServiceRollout.waitingFor(rolling(1, "QUEUED", noRoom), 2))
        .isEqualTo("; replica new QUEUED: " + noRoom + ServiceRollout.NO_ROOM_FOR_THE_SURGE);
    assertThat(ServiceRollout.waitingFor(rolling(0, "QUEUED", noRoom), 2)).as("no surge: nothing else to do")
        .isEqualTo("; replica new QUEUED: " + noRoom);
    assertThat(ServiceRollout.waitingFor(rolling(1, "QUEUED", "no worker node is up yet"), 2)).as("not for want of room")
        .isEqualTo("; replica new QUEUED: no worker node is up yet");
    assertThat(ServiceRollout.waitingFor(rolling(1, "RUNNING", "not ready: GET /ready answered 503"), 2))
        .isEqualTo("; replica new RUNNING, not ready: GET /ready answered 503");
    assertThat(ServiceRollout.waitingFor(rolling(1, "RUNNING", null), 2)).isEqualTo("; replica new RUNNING, not ready yet");
  }
}
