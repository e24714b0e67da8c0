package io.dcloud.gateway.environment;

import io.dcloud.node.NodeProtocol;

/** A container's resource usage as {@code GET /environments/{id}/stats} shows it. */
record StatsJson(double cpuPercent, Memory memory, Network network, BlockIo blockIo, long pids) {

  record Memory(long usedBytes, long limitBytes) {}

  record Network(long rxBytes, long txBytes) {}

  record BlockIo(long readBytes, long writeBytes) {}

  static StatsJson of(NodeProtocol.Stats stats) {
    return new StatsJson(
        stats.cpuPercent(),
        new Memory(stats.memoryUsedBytes(), stats.memoryLimitBytes()),
        new Network(stats.networkRxBytes(), stats.networkTxBytes()),
        new BlockIo(stats.blockReadBytes(), stats.blockWriteBytes()),
        stats.pids());
  }
}
