package io.dcloud.cli.env;

import io.dcloud.cli.common.DurationConverter;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --timeout} of the commands that follow an environment to a status, as {@code kubectl wait --timeout}. */
final class FollowTimeout {
  @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Stop following after this long (e.g. 10m; default: as long as it takes): exit 1, the environment goes on")
  Duration timeout;
}
